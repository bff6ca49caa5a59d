package io.signalmesh.testsupport;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process for tests, on a free loopback port, without persistence
 * ({@code --save "" --appendonly no}), so a restart comes back empty. {@link #stop()} and
 * {@link #start()} again on the same port simulate an outage and a restart. Never uses a system
 * Redis service.
 *
 * <pre>
 * try (RedisServer redis = new RedisServer().start()) {
 *   RedisOptions options = RedisUrl.parse(redis.url());
 * }
 * </pre>
 */
public final class RedisServer implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final String executable;
  private final int port;
  private final Path workDir;
  private final Thread reaper = new Thread(this::destroyProcess, "redis-server-reaper");
  private Process process;

  /** Picks a free port and the {@code redis-server} binary; call {@link #start()} to run it. */
  public RedisServer() {
    this.executable = findExecutable();
    this.port = freePort();
    try {
      this.workDir = Files.createTempDirectory("redis-server-" + port + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts redis-server on this server's port and waits until it answers PING. */
  public synchronized RedisServer start() {
    if (isRunning()) {
      return this;
    }
    ProcessBuilder builder = new ProcessBuilder(List.of(executable,
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", workDir.toString(), "--daemonize", "no"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + executable, e);
    }
    awaitPong();
    return this;
  }

  /** Stops the process (SIGTERM, then SIGKILL after a deadline); its data is gone. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public int port() {
    return port;
  }

  /** The {@code --redis} URL of this server. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Deletes every key (not the script cache). */
  public void flushAll() {
    command("FLUSHALL");
  }

  /**
   * Sends one command and returns the first line of the reply as redis-cli shows simple replies:
   * {@code +OK} -> {@code OK}, {@code :3} -> {@code 3}, an error as {@code -ERR ...}. Enough for
   * test set-up and inspection (FLUSHALL, SCRIPT FLUSH, EXISTS, DEL, CLIENT PAUSE).
   */
  public String command(String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed without a reply");
      }
      return switch (line.charAt(0)) {
        case '+', ':' -> line.substring(1);
        case '$' -> line.equals("$-1") ? null : in.readLine();
        default -> line;
      };
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server on port " + port + ": " + String.join(" ", args), e);
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try (var files = Files.list(workDir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(workDir);
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }

  private void awaitPong() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (UncheckedIOException notYet) {
        // not listening yet
      }
      try {
        // waiting on the process doubles as the pause between polls and notices an early exit
        if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + logTail());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for redis-server", e);
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new IllegalStateException("redis-server did not answer PING within " + START_TIMEOUT + ": " + logTail());
      }
    }
  }

  private synchronized void destroyProcess() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private Path log() {
    return workDir.resolve("redis.log");
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static String findExecutable() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      File candidate = new File(dir, "redis-server");
      if (candidate.canExecute()) {
        return candidate.getPath();
      }
    }
    if (new File("/usr/bin/redis-server").canExecute()) {
      return "/usr/bin/redis-server";
    }
    throw new IllegalStateException("redis-server is not installed: apt-get install -y redis-server");
  }

  private static int freePort() {
    return FreePorts.next();
  }

}
