package io.signalmesh.presence;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Many asynchronous calls with a bound on how many are in flight, for work over a whole node or
 * page (its sessions, its memberships, a page of rooms) that must neither flood the Redis pool's
 * wait queue nor take one call at a time.
 */
public final class ChunkedCalls {

  private ChunkedCalls() {}

  /**
   * Applies {@code call} to every item, {@code atOnce} at a time: a chunk starts when the previous
   * one has completed. The results keep the items' order; the first failure fails the whole and
   * leaves the later chunks uncalled.
   */
  public static <T, R> Future<List<R>> apply(List<T> items, int atOnce, Function<T, Future<R>> call) {
    if (atOnce < 1) {
      throw new IllegalArgumentException("atOnce must be positive, was " + atOnce);
    }
    return apply(items, 0, atOnce, call, new ArrayList<>(items.size()));
  }

  private static <T, R> Future<List<R>> apply(List<T> items, int from, int atOnce, Function<T, Future<R>> call,
      List<R> results) {
    if (from >= items.size()) {
      return Future.succeededFuture(results);
    }
    int to = Math.min(items.size(), from + atOnce);
    List<Future<R>> chunk = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      chunk.add(call.apply(items.get(i)));
    }
    return Future.all(chunk).compose(done -> {
      chunk.forEach(future -> results.add(future.result()));
      return apply(items, to, atOnce, call, results);
    });
  }
}
