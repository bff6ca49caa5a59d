package io.signalmesh.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A real standalone {@code redis-server} for tests, on a free loopback port, without persistence
 * ({@code save ""}, {@code appendonly no}), so a restart comes back empty (but after
 * an {@link #outage}). {@link #stop()} and
 * {@link #start()} again on the same port simulate an outage and a restart. Never uses a system
 * Redis service. The process itself is a {@link RedisProcess}.
 *
 * <pre>
 * try (RedisServer redis = new RedisServer().start()) {
 *   RedisOptions options = RedisUrl.parse(redis.url());
 * }
 * </pre>
 */
public final class RedisServer implements RedisDeployment {

  private final RedisProcess process;

  /** Picks a free port and writes the configuration; call {@link #start()} to run it. */
  public RedisServer() {
    this.process = new RedisProcess("server", List.of("save \"\"", "appendonly no"), false);
  }

  /**
   * Starts redis-server on this server's port and waits until it answers PING. It comes back
   * empty, or with what it held if an {@link #outage} stopped it.
   */
  public RedisServer start() {
    process.start();
    try {
      // loaded by now: the start after the next stop() is empty again
      Files.deleteIfExists(process.snapshot());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Stops the process (SIGTERM, then SIGKILL after a deadline); its data is gone. */
  public void stop() {
    process.stop();
  }

  /**
   * An outage that keeps the data, as a server with persistence has after a crash: a snapshot,
   * a stop, {@code meanwhile}, and a start {@code length} after the stop. Keys whose TTL ran out
   * meanwhile are gone when it is back.
   */
  public void outage(Duration length, Runnable meanwhile) {
    command("SAVE");
    long backAt = System.nanoTime() + length.toNanos();
    process.stop();
    try {
      meanwhile.run();
      // an outage is a span of time: nothing to wait for but its end
      for (long left = backAt - System.nanoTime(); left > 0; left = backAt - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
    } finally {
      start();
    }
  }

  public boolean isRunning() {
    return process.isRunning();
  }

  public int port() {
    return process.port();
  }

  /** The {@code --redis} URL of this server. */
  @Override
  public String url() {
    return process.url();
  }

  /** Deletes every key (not the script cache). */
  @Override
  public void flushAll() {
    command("FLUSHALL");
  }

  /**
   * Sends one command and returns the first line of the reply as redis-cli shows simple replies:
   * {@code +OK} -> {@code OK}, {@code :3} -> {@code 3}, an error as {@code -ERR ...}, an array
   * as {@code *<number of elements>}, a nil as null. Enough for test set-up and inspection
   * (FLUSHALL, SCRIPT FLUSH, EXISTS, DEL, CLIENT PAUSE); {@link RedisProcess#call} reads the
   * whole reply.
   */
  @Override
  public String command(String... args) {
    Object reply = process.call(args);
    if (reply == null) {
      return null;
    }
    if (reply instanceof List<?> items) {
      return "*" + items.size();
    }
    return reply.toString().lines().findFirst().orElse("");
  }

  /** The keys matching {@code pattern} (KEYS: a test's small database only), sorted. */
  public List<String> keys(String pattern) {
    Object reply = process.call("KEYS", pattern);
    return reply instanceof List<?> items ? items.stream().map(Object::toString).sorted().toList() : List.of();
  }

  @Override
  public void close() {
    process.close();
  }
}
