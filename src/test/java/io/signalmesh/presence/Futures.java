package io.signalmesh.presence;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Blocking on futures from the test thread (never an event loop), and polling with a deadline. */
final class Futures {

  /** Longest any single store operation may take in a test before it counts as hung. */
  static final Duration AWAIT_LIMIT = Duration.ofSeconds(15);

  private Futures() {}

  /** The future's result, or its failure rethrown as is (RuntimeExceptions) or wrapped. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(AWAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new CompletionException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + AWAIT_LIMIT);
    }
  }

  /** What {@code call} returns when it is made on {@code context}'s thread. */
  static <T> Future<T> on(Context context, Supplier<Future<T>> call) {
    Promise<T> done = Promise.promise();
    context.runOnContext(ignored -> call.get().onComplete(done));
    return done.future();
  }

  /** Retries {@code attempt} every 50 ms until it succeeds; fails with the last error after {@code within}. */
  static <T> T eventually(Vertx vertx, Duration within, Supplier<Future<T>> attempt) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        return await(attempt.get());
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("still failing after " + within, e);
        }
      }
      await(vertx.timer(50, TimeUnit.MILLISECONDS));
    }
  }
}
