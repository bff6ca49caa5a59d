package io.signalmesh.presence;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis client (standalone or Sentinel) that sends every command over a few connections it holds,
 * with many commands in flight on each (pipelining), instead of the pooled client's one command
 * per connection per round trip.
 *
 * <p>Why: the pooled Vert.x client takes a connection for each command and gives it back only with
 * the reply, so a node could have at most the pool size (32) commands in flight and each one paid a
 * pool round trip; a burst of joins queued past the call timeout (docs/benchmarks.md, problem 4).
 * A Vert.x {@link RedisConnection} itself queues up to {@code maxWaitingHandlers} unanswered
 * commands and matches replies in order.
 *
 * <p>A connection that closes or fails is dropped and the next command opens a new one (through
 * the client, so a Sentinel setup asks the sentinels for the current master). Each new connection
 * first loads, pipelined ahead of the first call, every script it is asked to run (SCRIPT LOAD),
 * so a burst on a fresh connection or a restarted Redis never answers NOSCRIPT call by call.
 *
 * <p>A command that failed because its connection was lost is sent once more on a new connection
 * if it cannot have run (the connection was already closed) or if the caller says running it twice
 * does no harm; the Sentinel failover leaves connections to the dead master that fail this way.
 *
 * <p>Not for Redis Cluster: there the client routes each command to the master that owns its slot
 * through per-master pools ({@link InFlightLimitedRedis}).
 */
final class PipelinedRedis implements Redis {

  private static final Logger LOG = LoggerFactory.getLogger(PipelinedRedis.class);
  /** What RedisStandaloneConnection fails a command with when it was closed before the command was written. */
  private static final String CLOSED_BEFORE_SEND = "Connection is closed";
  /** What it fails the commands still unanswered with when the connection ends. */
  private static final String CLOSED_WHILE_WAITING = "CONNECTION_CLOSED";

  private final Redis client;
  private final Slot[] slots;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean closed;

  /** @param connections how many connections to spread the commands over, positive */
  PipelinedRedis(Redis client, int connections) {
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be positive, was " + connections);
    }
    this.client = Objects.requireNonNull(client, "client");
    this.slots = new Slot[connections];
    for (int i = 0; i < connections; i++) {
      slots[i] = new Slot();
    }
  }

  /** Sends the command, again once on a new connection only if it cannot have run (see the class comment). */
  @Override
  public Future<Response> send(Request command) {
    return send(command, false);
  }

  /** @param idempotent whether running the command twice does no harm: then it is resent after any lost connection */
  Future<Response> send(Request command, boolean idempotent) {
    return attempt(null, command, idempotent, true);
  }

  /** Runs a script by EVALSHA on a connection that has loaded it (see the class comment). */
  Future<Response> evalsha(RedisScript script, Request evalsha, boolean idempotent) {
    return attempt(script, evalsha, idempotent, true);
  }

  /** Sends the commands in one write on one connection; never resent. */
  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return pick().connection().compose(shared -> shared.connection.batch(commands));
  }

  /** A connection of its own, outside the shared ones (from the client's pool). */
  @Override
  public Future<RedisConnection> connect() {
    return client.connect();
  }

  @Override
  public Future<Void> close() {
    closed = true;
    for (Slot slot : slots) {
      slot.drop();
    }
    return client.close();
  }

  private Future<Response> attempt(RedisScript script, Request command, boolean idempotent, boolean mayRetry) {
    Slot slot = pick();
    return slot.connection().compose(shared -> {
      if (script != null) {
        shared.load(script);
      }
      return shared.connection.send(command).recover(error -> {
        if (!lostConnection(error)) {
          return Future.failedFuture(error);
        }
        slot.dropIfCurrent(shared);
        boolean cannotHaveRun = CLOSED_BEFORE_SEND.equals(error.getMessage());
        return mayRetry && !closed && (cannotHaveRun || idempotent)
            ? attempt(script, command, idempotent, false)
            : Future.failedFuture(error);
      });
    });
  }

  private Slot pick() {
    return slots[Math.floorMod(next.getAndIncrement(), slots.length)];
  }

  /**
   * Whether a call failed because its connection was lost, not with an answer from Redis (an
   * error reply is an ErrorType): the command may or may not have run.
   */
  static boolean lostConnection(Throwable error) {
    if (error instanceof ErrorType) {
      return CLOSED_WHILE_WAITING.equals(error.getMessage());
    }
    return !String.valueOf(error.getMessage()).startsWith("Redis waiting queue is full");
  }

  /** One shared connection, opened on first use and again after it was lost. */
  private final class Slot {

    private Future<Shared> current;

    synchronized Future<Shared> connection() {
      if (current == null || current.failed() || current.succeeded() && current.result().lost) {
        current = client.connect().map(Shared::new);
      }
      return current;
    }

    synchronized void dropIfCurrent(Shared shared) {
      if (current != null && current.succeeded() && current.result() == shared) {
        current = null;
      }
      shared.release();
    }

    synchronized void drop() {
      if (current != null && current.succeeded()) {
        current.result().release();
      }
      current = null;
    }
  }

  /** A held connection and the scripts loaded on it. */
  private static final class Shared {

    final RedisConnection connection;
    private final Set<String> loaded = ConcurrentHashMap.newKeySet();
    volatile boolean lost;
    private volatile boolean released;

    Shared(RedisConnection connection) {
      this.connection = connection;
      connection.endHandler(end -> lost = true);
      connection.exceptionHandler(error -> lost = true);
    }

    /**
     * Loads the script ahead of its first call on this connection; the call follows it on the same
     * connection, so Redis knows the script by then. A failed load is only logged: the call then
     * falls back to EVAL on NOSCRIPT.
     */
    void load(RedisScript script) {
      if (loaded.add(script.sha())) {
        connection.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source()))
            .onFailure(error -> LOG.atDebug().addKeyValue("script", script.sha()).addKeyValue("error", error.getMessage())
                .log("could not load a Lua script ahead of its call"));
      }
    }

    /** Gives the connection back to the client's pool, which closes it if it is broken. */
    void release() {
      lost = true;
      if (!released) {
        released = true;
        connection.close();
      }
    }
  }
}
