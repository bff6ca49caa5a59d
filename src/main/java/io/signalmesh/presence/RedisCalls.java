package io.signalmesh.presence;

import io.signalmesh.metrics.SignalingMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Redis client every Redis-backed part of a node shares, with a timeout on each call: the
 * client has none per command. A timeout, a refused connection or an error reply fails the call
 * with {@link PresenceUnavailableException} naming the operation and subject (never credentials).
 * The client reconnects on demand, so calls work again once Redis is back.
 */
public final class RedisCalls {

  /** Connections per cluster master kept out of the in-flight limit: slot refreshes and held connections take them. */
  private static final int CLUSTER_SPARE_CONNECTIONS = 4;
  /**
   * Connections a standalone or Sentinel client sends all commands over, pipelined: one Redis
   * connection carries tens of thousands of commands a second; two keep a slow reply from holding
   * up everything.
   */
  private static final int PIPELINED_CONNECTIONS = 2;
  /**
   * Commands that do the same when run twice, so a call whose connection was lost before the
   * answer is sent again on a new one (SET is not here: with NX its answer would change).
   */
  private static final Set<Command> IDEMPOTENT = Set.of(Command.GET, Command.EXISTS, Command.HGET, Command.HGETALL,
      Command.HMGET, Command.SMEMBERS, Command.ZRANGEBYLEX, Command.XLEN, Command.XPENDING, Command.SADD, Command.SREM,
      Command.ZADD, Command.ZREM, Command.DEL);

  private final Vertx vertx;
  private final Redis redis;
  private final boolean cluster;
  private final long timeoutMillis;
  private final SignalingMetrics metrics;

  public RedisCalls(Vertx vertx, RedisOptions options, Duration timeout) {
    this(vertx, options, timeout, SignalingMetrics.none());
  }

  public RedisCalls(Vertx vertx, RedisOptions options, Duration timeout, SignalingMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Redis call timeout must be positive, was " + timeout);
    }
    this.timeoutMillis = Math.max(1, timeout.toMillis());
    this.cluster = options.getType() == RedisClientType.CLUSTER;
    this.redis = client(vertx, options);
  }

  /**
   * The client for these options: pipelined over a few connections on standalone and Sentinel
   * ({@link PipelinedRedis}); on a cluster the pooled client with fewer commands in flight than a
   * pool holds connections, leaving a few per master for slot refreshes (see {@link InFlightLimitedRedis}).
   */
  private static Redis client(Vertx vertx, RedisOptions options) {
    Redis client = Redis.createClient(vertx, options);
    if (options.getType() != RedisClientType.CLUSTER) {
      return new PipelinedRedis(client, PIPELINED_CONNECTIONS);
    }
    int poolSize = options.getPoolOptions().getMaxSize();
    return new InFlightLimitedRedis(client, Math.max(1, poolSize - CLUSTER_SPARE_CONNECTIONS),
        options.getPoolOptions().getMaxWaiting());
  }

  Redis client() {
    return redis;
  }

  /**
   * Whether a script may touch keys of different hash slots (the room, the indexes, the outbox
   * streams): everywhere but on Redis Cluster.
   */
  boolean crossSlotScripts() {
    return !cluster;
  }

  /** Sends one command under the timeout. */
  public Future<Response> call(String op, String subject, Request request) {
    Future<Response> sent = redis instanceof PipelinedRedis pipelined
        ? pipelined.send(request, IDEMPOTENT.contains(request.command()))
        : redis.send(request);
    return timed(op, subject, sent);
  }

  /** Runs a script under the timeout. */
  public Future<Response> script(String op, String subject, RedisScript script, List<String> keys, List<String> args) {
    return timed(op, subject, script.run(redis, keys, args));
  }

  /** Fails with PresenceUnavailableException if {@code call} fails or takes longer than the timeout; answers on the caller's context. */
  <T> Future<T> timed(String op, String subject, Future<T> call) {
    Promise<T> promise = Promise.promise();
    long started = System.nanoTime();
    promise.future().onComplete(done -> metrics.redisCall(op, System.nanoTime() - started, done.succeeded()));
    long timer = vertx.setTimer(timeoutMillis, id -> promise.tryFail(new PresenceUnavailableException(
        op + " (" + subject + "): Redis did not answer within " + timeoutMillis + " ms")));
    call.onComplete(result -> {
      vertx.cancelTimer(timer);
      if (result.succeeded()) {
        promise.tryComplete(result.result());
      } else {
        promise.tryFail(new PresenceUnavailableException(
            op + " (" + subject + "): Redis failed: " + describe(result.cause()), result.cause()));
      }
    });
    return onCallersContext(promise.future());
  }

  /**
   * A future that completes as {@code result} does, on the context of the thread that calls this
   * (its event loop), as Vert.x's own clients answer. The shared connections answer on the context
   * that opened them; continuing there would let a session's next frame, read on its own loop,
   * overtake what the continuation still does for an earlier one: a joiner's offer could reach
   * another node before the join announcement that names the joiner, and the peer's answer be
   * refused as {@code unknown-peer}. Called on a thread without a context, it returns {@code result}.
   */
  static <T> Future<T> onCallersContext(Future<T> result) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return result;
    }
    Promise<T> promise = Promise.promise();
    result.onComplete(done -> {
      if (Vertx.currentContext() == caller) {
        promise.handle(done);
      } else {
        caller.runOnContext(ignored -> promise.handle(done));
      }
    });
    return promise.future();
  }

  public Future<Void> close() {
    return redis.close();
  }

  private static String describe(Throwable cause) {
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
