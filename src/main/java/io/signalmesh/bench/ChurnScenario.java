package io.signalmesh.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bench churn}: call set-ups started at a fixed rate for a while, each a {@link CallSetup}
 * on two new connections that leave when done: set-ups per second, set-up time (join to last
 * candidate delivered), failures by stage, and the server's CPU per set-up and RSS before and
 * after (does memory come back when the calls are gone?).
 */
public final class ChurnScenario {

  /**
   * What a churn run does. {@code warmup}: set-ups at the same rate before the measured window,
   * not counted (the load generator is a fresh JVM: without it the window measures its JIT).
   */
  public record Settings(double rate, Duration warmup, Duration duration, int candidates, int sdpBytes,
      boolean simultaneousHangUp) {
    public Settings {
      if (!(rate > 0) || duration.isZero() || duration.isNegative()) {
        throw new IllegalArgumentException("--rate and --duration must be positive");
      }
      if (warmup.isNegative()) {
        throw new IllegalArgumentException("--warmup must not be negative");
      }
      if (candidates < 1 || sdpBytes < 1) {
        throw new IllegalArgumentException("--candidates and --sdp-bytes must be at least 1");
      }
    }

    /** Without a warm-up. */
    public Settings(double rate, Duration duration, int candidates, int sdpBytes, boolean simultaneousHangUp) {
      this(rate, Duration.ZERO, duration, candidates, sdpBytes, simultaneousHangUp);
    }
  }

  private final Harness harness;
  private final Settings settings;
  private final String roomPrefix = Harness.roomPrefix("c");
  private final Attempts setups = new Attempts();
  private final Attempts warmupSetups = new Attempts();
  private final LongAdder wrongSender = new LongAdder();

  public ChurnScenario(Harness harness, Settings settings) {
    this.harness = harness;
    this.settings = settings;
  }

  public JsonObject run() {
    Harness.Settings common = harness.settings();
    ProcessProbe self = ProcessProbe.self();
    String sdp = CallSetup.sdp(settings.sdpBytes());
    LongAdder started = new LongAdder();
    LongAdder skipped = new LongAdder();
    // both only touched on the pacing event loop
    int[] inFlight = {0};
    int[] next = {0};
    int[] slot = {0};
    // the warm-up and the window are one schedule (Harness.pace starts it 10 ms from now); a set-up
    // belongs to the part its slot of the schedule is in, so a generator that fell behind in the
    // warm-up does not move warm-up set-ups into the window
    long windowStart = System.nanoTime() + 10_000_000L + settings.warmup().toNanos();
    long warmupSlots = (long) Math.floor(settings.rate() * settings.warmup().toNanos() / 1e9);
    Future<ProcessProbe.Sample[]> before = settings.warmup().isZero()
        ? Future.succeededFuture(new ProcessProbe.Sample[] {harness.sampleServer(), self.sample()})
        : harness.after(Duration.ofNanos(windowStart - System.nanoTime()))
            .map(v -> new ProcessProbe.Sample[] {harness.sampleServer(), self.sample()});
    try (Progress progress = Progress.every(harness.vertx(), common.progress(), "churn", () ->
        String.format(Locale.ROOT, "started=%d completed=%d failed=%d slowest=%.1fms", started.sum(), setups.succeeded(),
            setups.failures().total(), Math.max(setups.takeSlowestMillis(), warmupSetups.takeSlowestMillis())))) {
      List<Future<CallSetup.Outcome>> calls = harness.pace(settings.rate(), settings.warmup().plus(settings.duration()), () -> {
        boolean measured = slot[0]++ >= warmupSlots;
        if (inFlight[0] >= common.maxInFlight()) {
          if (measured) {
            skipped.increment();
          }
          return null;
        }
        int index = next[0]++;
        inFlight[0]++;
        if (measured) {
          started.increment();
        }
        Attempts attempts = measured ? setups : warmupSetups;
        return new CallSetup(harness, index, roomPrefix + index, settings.candidates(), sdp, settings.simultaneousHangUp()).run(common.timeout())
            .andThen(ar -> harness.loop(0).runOnContext(x -> inFlight[0]--))
            .andThen(ar -> record(attempts, ar.result()));
      });
      Harness.await(Future.join(calls), common.timeout().plusSeconds(10));
    }
    // the calls' connections close asynchronously: give the server the same bound to see them go
    Harness.await(harness.after(Duration.ofSeconds(1)), Duration.ofSeconds(5));
    ProcessProbe.Sample[] first = Harness.await(before, common.timeout());
    ProcessProbe.Sample after = harness.sampleServer();
    ProcessProbe.Sample selfAfter = self.sample();
    JsonObject report = new JsonObject()
        .put("scenario", "churn")
        .put("urls", common.targets().urls())
        .put("rate", settings.rate())
        .put("durationS", settings.duration().toMillis() / 1000.0)
        .put("candidates", settings.candidates())
        .put("simultaneousHangUp", settings.simultaneousHangUp())
        .put("started", started.sum())
        .put("skipped", skipped.sum())
        .put("completed", setups.succeeded())
        .put("setupsPerSec", Report.perSecond(setups.succeeded(), settings.duration().toNanos()))
        .put("setupMs", setups.latency())
        .put("failures", setups.failures().toJson())
        .put("connectFailures", harness.failures().toJson())
        .put("wrongSender", wrongSender.sum())
        .put("errors", harness.errors().toJson())
        .put("closes", harness.closes().toJson())
        // the generator's own CPU per set-up: a tail measured on a saturated generator is its queueing
        .put("loadGenerator", self.between(first[1], selfAfter, setups.succeeded(), "cpuUsPerSetup"));
    if (!settings.warmup().isZero()) {
      report.put("warmup", new JsonObject()
          .put("durationS", settings.warmup().toMillis() / 1000.0)
          .put("completed", warmupSetups.succeeded())
          .put("failures", warmupSetups.failures().toJson()));
    }
    if (first[0] != null) {
      JsonObject server = common.server().between(first[0], after, 0);
      if (setups.succeeded() > 0) {
        server.put("cpuUsPerSetup", Report.round((after.cpuNanos() - first[0].cpuNanos()) / 1000.0 / setups.succeeded(), 1));
      }
      report.put("server", server);
    }
    return report;
  }

  private void record(Attempts attempts, CallSetup.Outcome outcome) {
    wrongSender.add(outcome.wrongSender());
    if (outcome.failedStage() != null) {
      attempts.failed(outcome.failedStage());
    } else {
      attempts.succeeded(outcome.setupNanos());
    }
  }
}
