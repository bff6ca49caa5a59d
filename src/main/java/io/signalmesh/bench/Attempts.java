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

  void succeeded(long nanos) {
    succeeded.increment();
    synchronized (latency) {
      Report.record(latency, nanos);
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
