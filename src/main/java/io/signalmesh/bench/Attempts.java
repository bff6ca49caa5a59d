package io.signalmesh.bench;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Timed attempts of one kind (call set-ups, joins): how many succeeded and how long they took,
 * and the failures by reason. Safe from every event loop.
 */
final class Attempts {

  private final Histogram latency = Report.newHistogram();
  private final Tally failures = new Tally();
  private final LongAdder succeeded = new LongAdder();
  private long slowestSinceTaken;

  void succeeded(long nanos) {
    succeeded.increment();
    synchronized (latency) {
      Report.record(latency, nanos);
      slowestSinceTaken = Math.max(slowestSinceTaken, nanos);
    }
  }

  /**
   * The slowest success since the last call, in milliseconds (0 if none), for the progress lines:
   * they show in which second of a run its tail came.
   */
  double takeSlowestMillis() {
    synchronized (latency) {
      long slowest = slowestSinceTaken;
      slowestSinceTaken = 0;
      return slowest / 1e6;
    }
  }

  void failed(String reason) {
    failures.add(reason);
  }

  long succeeded() {
    return succeeded.sum();
  }

  Tally failures() {
    return failures;
  }

  /** The successes' latency as the report prints it ({@link Report#latency}). */
  JsonObject latency() {
    synchronized (latency) {
      return Report.latency(latency);
    }
  }
}
