package io.signalmesh.presence;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A Redis client that has at most {@code limit} commands in flight and queues the rest (FIFO,
 * at most {@code maxWaiting}; beyond that a command fails at once).
 *
 * <p>Why Redis Cluster needs it: for each command the Vert.x 5.0 cluster client takes a pooled
 * connection to <em>every</em> master, and it refreshes its slot map (every second) through the
 * same pools. With more commands in flight than a pool has connections, commands started on
 * different event loops each hold some masters' connections while waiting for the others', and
 * the slot refresh waits behind them: every command then hangs for good (seen with 5.0.7 under
 * a burst of joins; vert-x3/vertx-redis-client#541). Below the pool size, every connection a
 * command asks for is free, so nothing ever waits for another command's connection.
 */
final class InFlightLimitedRedis implements Redis {

  private final Redis delegate;
  private final int limit;
  private final int maxWaiting;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;

  /**
   * @param limit most commands in flight, positive; below the client's pool size per endpoint
   * @param maxWaiting most commands queued behind them
   */
  InFlightLimitedRedis(Redis delegate, int limit, int maxWaiting) {
    if (limit < 1 || maxWaiting < 0) {
      throw new IllegalArgumentException("limit must be positive and maxWaiting not negative");
    }
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.limit = limit;
    this.maxWaiting = maxWaiting;
  }

  @Override
  public Future<Response> send(Request command) {
    return limited(() -> delegate.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return limited(() -> delegate.batch(commands));
  }

  /** A connection of its own is outside the limit: whoever holds it must keep to one. */
  @Override
  public Future<RedisConnection> connect() {
    return delegate.connect();
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }

  private <T> Future<T> limited(Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    Runnable start = () -> {
      Future<T> sent;
      try {
        sent = call.get();
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e);
      }
      sent.onComplete(done -> {
        finished();
        result.handle(done);
      });
    };
    synchronized (this) {
      if (inFlight >= limit) {
        if (waiting.size() >= maxWaiting) {
          return Future.failedFuture("too many Redis commands waiting (" + maxWaiting + ")");
        }
        waiting.add(start);
        return result.future();
      }
      inFlight++;
    }
    start.run();
    return result.future();
  }

  /** Hands the freed place to the next waiting command, if any. */
  private void finished() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.run();
    }
  }
}
