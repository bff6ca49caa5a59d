package io.signalmesh.bench;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/** Figures as they appear in the one JSON line a run prints: milliseconds, rounded. */
public final class Report {

  /** Latencies are recorded in microseconds, up to a minute. */
  public static final long MAX_MICROS = 60_000_000L;

  private Report() {}

  public static Histogram newHistogram() {
    return new Histogram(MAX_MICROS, 3);
  }

  /** p50/p90/p99/p99.9/max and the mean of a histogram of microseconds, in milliseconds. */
  public static JsonObject latency(Histogram micros) {
    JsonObject json = new JsonObject().put("count", micros.getTotalCount());
    if (micros.getTotalCount() == 0) {
      return json;
    }
    return json
        .put("p50", ms(micros.getValueAtPercentile(50)))
        .put("p90", ms(micros.getValueAtPercentile(90)))
        .put("p99", ms(micros.getValueAtPercentile(99)))
        .put("p999", ms(micros.getValueAtPercentile(99.9)))
        .put("max", ms(micros.getMaxValue()))
        .put("mean", round(micros.getMean() / 1000.0, 3));
  }

  /** Records a latency, clamped to the histogram's range (a minute is "never" here anyway). */
  public static void record(Histogram histogram, long nanos) {
    histogram.recordValue(Math.max(0, Math.min(MAX_MICROS, nanos / 1000)));
  }

  public static double ms(long micros) {
    return round(micros / 1000.0, 3);
  }

  public static double perSecond(long count, long nanos) {
    return nanos <= 0 ? 0 : round(count * 1e9 / nanos, 1);
  }

  public static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
