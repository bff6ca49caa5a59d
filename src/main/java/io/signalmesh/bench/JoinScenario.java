package io.signalmesh.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
  private final String roomPrefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + "-j";
  private final Histogram latency = Report.newHistogram();
  private final Tally joinFailures = new Tally();
  private final LongAdder joined = new LongAdder();

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
      ProcessProbe.Sample before = common.server().isEmpty() ? null : common.server().sample();
      long nanos;
      try (Progress progress = Progress.every(harness.vertx(), common.progress(), "join " + settings.mode(), () ->
          String.format("joined=%d failed=%d", joined.sum(), joinFailures.total()))) {
        nanos = settings.mode() == Mode.burst ? burst(clients) : steady(clients);
      }
      ProcessProbe.Sample after = common.server().isEmpty() ? null : common.server().sample();
      if (settings.mode() == Mode.steady) {
        report.put("rate", settings.rate()).put("durationS", settings.duration().toMillis() / 1000.0);
      }
      report.put("joins", joined.sum())
          .put("joinsPerSec", Report.perSecond(joined.sum(), nanos))
          .put("latencyMs", Report.latency(latency))
          .put("failures", joinFailures.toJson())
          .put("errors", harness.errors().toJson())
          .put("closes", harness.closes().toJson())
          .put("connectMs", Report.latency(connectLatency));
      if (before != null) {
        report.put("server", common.server().between(before, after, joined.sum(), "cpuUsPerJoin"));
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
    List<Future<Frame>> joins = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      joins.add(join(clients.get(i), roomPrefix + (i / settings.roomSize())).andThen(ar -> last.accumulateAndGet(System.nanoTime(), Math::max)));
    }
    awaitAll(joins);
    return last.get() - start;
  }

  /** Paced joins for the duration; returns the duration. */
  private long steady(List<BenchClient> clients) {
    Promise<Void> done = Promise.promise();
    List<Future<Frame>> joins = new ArrayList<>();
    String[] rooms = new String[clients.size()];
    boolean[] busy = new boolean[clients.size()];
    LongAdder skipped = new LongAdder();
    long start = System.nanoTime() + 10_000_000L;
    long end = start + settings.duration().toNanos();
    harness.loop(0).runOnContext(v -> {
      Pacer pacer = new Pacer(settings.rate(), start, Math.max(1, (long) settings.rate() / 100));
      long[] next = {0};
      harness.vertx().setPeriodic(1, id -> {
        long now = System.nanoTime();
        if (now >= end) {
          harness.vertx().cancelTimer(id);
          done.complete();
          return;
        }
        for (long n = pacer.due(now); n > 0; n--) {
          long j = next[0]++;
          int c = (int) (j % clients.size());
          if (busy[c]) {
            joinFailures.add("client-busy");
            skipped.increment();
            continue;
          }
          BenchClient client = clients.get(c);
          if (rooms[c] != null) {
            client.send("{\"type\":\"leave-room\",\"roomId\":\"" + rooms[c] + "\"}");
          }
          rooms[c] = roomPrefix + "s" + (j / settings.roomSize());
          busy[c] = true;
          joins.add(join(client, rooms[c]).andThen(ar -> harness.loop(0).runOnContext(x -> busy[c] = false)));
        }
      });
    });
    Harness.await(done.future(), settings.duration().plus(harness.settings().timeout()));
    List<Future<Frame>> issued = Harness.await(onLoop0(() -> List.copyOf(joins)), harness.settings().timeout());
    awaitAll(issued);
    return settings.duration().toNanos();
  }

  private <T> Future<T> onLoop0(java.util.function.Supplier<T> read) {
    Promise<T> result = Promise.promise();
    harness.loop(0).runOnContext(v -> result.complete(read.get()));
    return result.future();
  }

  private Future<Frame> join(BenchClient client, String room) {
    long sent = System.nanoTime();
    return client.join(room, harness.settings().timeout()).andThen(ar -> {
      if (ar.succeeded()) {
        joined.increment();
        synchronized (latency) {
          Report.record(latency, System.nanoTime() - sent);
        }
      } else {
        String message = Objects.toString(ar.cause().getMessage(), "");
        joinFailures.add(message.startsWith("error ") ? message.substring(6) : BenchClient.reason(ar.cause()));
      }
    });
  }

  private void awaitAll(List<Future<Frame>> joins) {
    try {
      Harness.await(Future.join(joins), harness.settings().timeout().plusSeconds(5));
    } catch (IllegalStateException e) {
      // failed joins are in the failures tally
    }
  }
}
