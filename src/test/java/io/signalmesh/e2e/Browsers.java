package io.signalmesh.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** Starts several browsers at once (each start is mostly waiting) and closes them all. */
final class Browsers {

  private Browsers() {}

  static List<Browser> start(String... names) {
    List<CompletableFuture<Browser>> starting = Stream.of(names)
        .map(name -> CompletableFuture.supplyAsync(() -> Browser.start(name))).toList();
    List<Browser> started = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<Browser> f : starting) {
      try {
        started.add(f.join());
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      close(started);
      throw failure;
    }
    return started;
  }

  static void close(List<Browser> browsers) {
    if (browsers == null) {
      return;
    }
    for (Browser b : browsers) {
      try {
        b.close();
      } catch (RuntimeException e) {
        // keep closing the others
      }
    }
  }
}
