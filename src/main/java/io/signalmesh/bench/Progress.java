package io.signalmesh.bench;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.function.Supplier;

/** A line on stderr every second while a phase runs; stdout is kept for the one JSON line. */
public final class Progress implements AutoCloseable {

  private final Vertx vertx;
  private final long timer;

  private Progress(Vertx vertx, long timer) {
    this.vertx = vertx;
    this.timer = timer;
  }

  public static Progress every(Vertx vertx, PrintStream out, String phase, Supplier<String> status) {
    long start = System.nanoTime();
    out.println("bench: " + phase);
    long timer = vertx.setPeriodic(1000, id ->
        out.printf("bench: %s %ds %s%n", phase, (System.nanoTime() - start) / 1_000_000_000L, status.get()));
    return new Progress(vertx, timer);
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
