package io.signalmesh.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * {@code bench join}: join latency (join-room sent to room-participants received) and joins per
 * second. In a burst every connected client joins its room of K at once; at a steady rate the
 * clients take turns, each leaving its previous room right before it joins the next one.
 */
public final class JoinScenario {

  public enum Mode { burst, steady }

  /** What a join run does. */
  public record Settings(int clients, int roomSize, Mode mode, double rate, Duration duration) {
    public Settings {
      if (clients < 1 || roomSize < 1) {
        throw new IllegalArgumentException("--clients and --room-size must be at least 1");
      }
      if (mode == Mode.steady && (!(rate > 0) || duration.isZero() || duration.isNegative())) {
        throw new IllegalArgumentException("--mode steady needs a positive --rate and --duration");
      }
    }
  }

  private final Harness harness;
  private final Settings settings;
  private final String roomPrefix = Harness.roomPrefix("j");
  private final Attempts joins = new Attempts();

  public JoinScenario(Harness harness, Settings settings) {
    this.harness = harness;
    this.settings = settings;
  }

  public JsonObject run() {
    Harness.Settings common = harness.settings();
    Histogram connectLatency = Report.newHistogram();
    Duration bound = common.timeout().plusMillis((long) (1000 * settings.clients() / common.connectRate())).plusSeconds(5);
    List<BenchClient> clients = Harness.await(harness.connectAll(settings.clients(), connectLatency), bound);
    try {
      JsonObject report = new JsonObject()
          .put("scenario", "join")
          .put("urls", common.targets().urls())
          .put("mode", settings.mode().name())
          .put("clients", settings.clients())
          .put("roomSize", settings.roomSize());
      if (harness.failures().total() > 0) {
        return report.put("error", "connect failures").put("failures", harness.failures().toJson());
      }
      ProcessProbe.Sample before = harness.sampleServer();
      long nanos;
      try (Progress progress = Progress.every(harness.vertx(), common.progress(), "join " + settings.mode(), () ->
          String.format(Locale.ROOT, "joined=%d failed=%d slowest=%.1fms", joins.succeeded(), joins.failures().total(),
              joins.takeSlowestMillis()))) {
        nanos = settings.mode() == Mode.burst ? burst(clients) : steady(clients);
      }
      ProcessProbe.Sample after = harness.sampleServer();
      if (settings.mode() == Mode.steady) {
        report.put("rate", settings.rate()).put("durationS", settings.duration().toMillis() / 1000.0);
      }
      report.put("joins", joins.succeeded())
          .put("joinsPerSec", Report.perSecond(joins.succeeded(), nanos))
          .put("latencyMs", joins.latency())
          .put("failures", joins.failures().toJson())
          .put("errors", harness.errors().toJson())
          .put("closes", harness.closes().toJson())
          .put("connectMs", Report.latency(connectLatency));
      if (before != null) {
        report.put("server", common.server().between(before, after, joins.succeeded(), "cpuUsPerJoin"));
      }
      return report;
    } finally {
      Harness.await(harness.closeAll(clients), common.timeout().plusSeconds(5));
    }
  }

  /** Everyone at once; returns the time from the first join sent to the last reply. */
  private long burst(List<BenchClient> clients) {
    long start = System.nanoTime();
    AtomicLong last = new AtomicLong(start);
    List<Future<Frame>> pending = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      pending.add(join(clients.get(i), roomPrefix + (i / settings.roomSize())).andThen(ar -> last.accumulateAndGet(System.nanoTime(), Math::max)));
    }
    awaitAll(pending);
    return last.get() - start;
  }

  /** Paced joins for the duration; returns the duration. */
  private long steady(List<BenchClient> clients) {
    // only touched on the pacing event loop
    String[] rooms = new String[clients.size()];
    boolean[] busy = new boolean[clients.size()];
    long[] next = {0};
    List<Future<Frame>> issued = harness.pace(settings.rate(), settings.duration(), () -> {
      long j = next[0]++;
      int c = (int) (j % clients.size());
      if (busy[c]) {
        joins.failed("client-busy");
        return null;
      }
      BenchClient client = clients.get(c);
      if (rooms[c] != null) {
        client.send("{\"type\":\"leave-room\",\"roomId\":\"" + rooms[c] + "\"}");
      }
      rooms[c] = roomPrefix + "s" + (j / settings.roomSize());
      busy[c] = true;
      return join(client, rooms[c]).andThen(ar -> harness.loop(0).runOnContext(x -> busy[c] = false));
    });
    awaitAll(issued);
    return settings.duration().toNanos();
  }

  private Future<Frame> join(BenchClient client, String room) {
    long sent = System.nanoTime();
    return client.join(room, harness.settings().timeout()).andThen(ar -> {
      if (ar.succeeded()) {
        joins.succeeded(System.nanoTime() - sent);
      } else {
        String message = Objects.toString(ar.cause().getMessage(), "");
        joins.failed(message.startsWith("error ") ? message.substring(6) : BenchClient.reason(ar.cause()));
      }
    });
  }

  private void awaitAll(List<Future<Frame>> pending) {
    try {
      Harness.await(Future.join(pending), harness.settings().timeout().plusSeconds(5));
    } catch (IllegalStateException e) {
      // failed joins are in the failures tally
    }
  }
}
