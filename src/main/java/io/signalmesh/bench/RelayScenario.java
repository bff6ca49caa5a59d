package io.signalmesh.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * {@code bench relay}: N clients in rooms of K send {@code ice-candidate}-sized frames to their
 * room mates at a fixed total rate; after a warm-up a window is measured: delivered/s, lost,
 * duplicated, out of order, wrong senderId, latency, error frames by code, and the server's CPU
 * per delivered message and RSS when its PIDs are known.
 */
public final class RelayScenario {

  /** What a relay run does. */
  public record Settings(int clients, int roomSize, double rate, Duration warmup, Duration window, Duration drain,
      int frameBytes) {
    public Settings {
      if (clients < 2 || roomSize < 2 || clients % roomSize != 0) {
        throw new IllegalArgumentException("--clients must be a multiple of --room-size, both at least 2");
      }
      if (!(rate > 0)) {
        throw new IllegalArgumentException("--rate must be positive");
      }
      if (window.isZero() || window.isNegative()) {
        throw new IllegalArgumentException("--duration must be positive");
      }
    }
  }

  private final Harness harness;
  private final Settings settings;
  private final String roomPrefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + "-r";

  public RelayScenario(Harness harness, Settings settings) {
    this.harness = harness;
    this.settings = settings;
  }

  /** Runs the scenario (blocking the calling thread, never an event loop) and returns the report. */
  public JsonObject run() {
    Harness.Settings common = harness.settings();
    Histogram connectLatency = Report.newHistogram();
    Duration connectBound = common.timeout().plusMillis((long) (1000 * settings.clients() / common.connectRate()));
    List<BenchClient> clients = Harness.await(harness.connectAll(settings.clients(), connectLatency), connectBound.plusSeconds(5));
    try {
      if (harness.failures().total() > 0) {
        return failed("connect failures: " + harness.failures().toJson().encode());
      }
      String joinError = joinAll(clients);
      if (joinError != null) {
        return failed(joinError);
      }
      return measure(clients, connectLatency);
    } finally {
      Harness.await(harness.closeAll(clients), common.timeout().plusSeconds(5));
    }
  }

  /**
   * Joins in waves: first member of every room, then the second, ...; members of one room never
   * join at the same moment (join contention is the join scenario's subject, not this one's).
   * Then waits until every client was told of all its room mates, as a client sends only to
   * peers it knows: a member that joined early hears of later ones from its node, which may learn
   * of them from another node a moment after their join was answered.
   */
  private String joinAll(List<BenchClient> clients) {
    List<Set<String>> known = new ArrayList<>();
    for (BenchClient client : clients) {
      Set<String> told = ConcurrentHashMap.newKeySet();
      known.add(told);
      client.onFrame(frame -> {
        if ("participant-joined".equals(frame.type())) {
          told.add(frame.string("participantId"));
        }
      });
    }
    for (int wave = 0; wave < settings.roomSize(); wave++) {
      List<Future<Frame>> joins = new ArrayList<>();
      for (int i = wave; i < clients.size(); i += settings.roomSize()) {
        Set<String> told = known.get(i);
        joins.add(clients.get(i).join(roomPrefix + (i / settings.roomSize()), harness.settings().timeout())
            .onSuccess(reply -> reply.json().getJsonArray("participants").forEach(id -> told.add((String) id))));
      }
      try {
        Harness.await(Future.join(joins), harness.settings().timeout().plusSeconds(5));
      } catch (IllegalStateException e) {
        // reported below from the joins themselves
      }
      long failed = joins.stream().filter(j -> !j.succeeded()).count();
      if (failed > 0) {
        String first = joins.stream().filter(Future::failed).map(j -> j.cause().getMessage()).findFirst().orElse("timeout");
        return failed + " of " + joins.size() + " joins (wave " + (wave + 1) + ") failed, first: " + first;
      }
    }
    return awaitMatesKnown(clients, known);
  }

  private String awaitMatesKnown(List<BenchClient> clients, List<Set<String>> known) {
    long deadline = System.nanoTime() + harness.settings().timeout().toNanos();
    List<List<BenchClient>> mates = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      mates.add(mates(clients, i));
    }
    while (true) {
      long unaware = 0;
      for (int i = 0; i < clients.size(); i++) {
        Set<String> told = known.get(i);
        if (!mates.get(i).stream().allMatch(mate -> told.contains(mate.clientId()))) {
          unaware++;
        }
      }
      if (unaware == 0) {
        return null;
      }
      if (System.nanoTime() > deadline) {
        return unaware + " clients not told of all their room mates within " + harness.settings().timeout().toMillis()
            + " ms of joining";
      }
      Harness.await(harness.after(Duration.ofMillis(10)), Duration.ofSeconds(5));
    }
  }

  private JsonObject measure(List<BenchClient> clients, Histogram connectLatency) {
    Harness.Settings common = harness.settings();
    RelayReceiver.Totals totals = new RelayReceiver.Totals();
    List<RelayReceiver> receivers = new ArrayList<>();
    List<List<RelayTraffic.Sender>> byLoop = new ArrayList<>();
    for (int l = 0; l < harness.loopCount(); l++) {
      byLoop.add(new ArrayList<>());
    }
    for (int i = 0; i < clients.size(); i++) {
      RelayReceiver receiver = new RelayReceiver(RelayFrames.TYPE, clients, totals);
      receivers.add(receiver);
      BenchClient client = clients.get(i);
      Harness.await(onLoop(client, receiver), common.timeout());
      byLoop.get(i % harness.loopCount()).add(new RelayTraffic.Sender(i, client, mates(clients, i)));
    }

    RelayFrames frames = new RelayFrames(settings.frameBytes());
    LongAdder sent = new LongAdder();
    LongAdder sentMeasured = new LongAdder();
    long start = System.nanoTime() + 50_000_000L;
    long windowStart = start + settings.warmup().toNanos();
    long end = windowStart + settings.window().toNanos();
    ProcessProbe self = ProcessProbe.self();
    Future<ProcessProbe.Sample[]> samples = harness.after(Duration.ofNanos(windowStart - System.nanoTime()))
        .map(v -> new ProcessProbe.Sample[] {sample(common.server()), self.sample()})
        .compose(before -> harness.after(Duration.ofNanos(end - System.nanoTime()))
            .map(v -> new ProcessProbe.Sample[] {before[0], before[1], sample(common.server()), self.sample()}));
    List<Future<Long>> sending = new ArrayList<>();
    for (int l = 0; l < harness.loopCount(); l++) {
      List<RelayTraffic.Sender> senders = byLoop.get(l);
      double share = settings.rate() * senders.size() / clients.size();
      sending.add(new RelayTraffic(harness.loop(l), senders, frames, sent, sentMeasured).run(share, start, windowStart, end));
    }
    Duration total = Duration.ofNanos(end - System.nanoTime()).plus(common.timeout());
    try (Progress progress = Progress.every(harness.vertx(), common.progress(), "relay", () ->
        String.format("sent=%d arrived=%d errors=%d", sent.sum(), totals.arrived().sum(), harness.errors().total()))) {
      Harness.await(Future.all(sending), total);
      drain(receivers, sentMeasured, totals.arrived());
    }
    long maxLag = sending.stream().mapToLong(Future::result).max().orElse(0);
    ProcessProbe.Sample[] probe = Harness.await(samples, common.timeout());

    long delivered = receivers.stream().mapToLong(RelayReceiver::uniqueMeasured).sum();
    JsonObject report = header()
        .put("sent", sentMeasured.sum())
        .put("sendRate", Report.perSecond(sentMeasured.sum(), settings.window().toNanos()))
        .put("delivered", delivered)
        .put("deliveredPerSec", Report.perSecond(delivered, settings.window().toNanos()))
        .put("lost", sentMeasured.sum() - delivered)
        .put("duplicated", receivers.stream().mapToLong(RelayReceiver::duplicated).sum())
        .put("outOfOrder", receivers.stream().mapToLong(RelayReceiver::outOfOrder).sum())
        .put("wrongSender", totals.wrongSender().sum())
        .put("unstamped", totals.unstamped().sum())
        .put("latencyMs", Report.latency(totals.latency().getIntervalHistogram()))
        .put("connectMs", Report.latency(connectLatency))
        .put("errors", harness.errors().toJson())
        .put("closes", harness.closes().toJson())
        .put("maxSendLagMs", Report.round(maxLag / 1e6, 3))
        .put("loadGenerator", self.between(probe[1], probe[3], delivered));
    if (!common.server().isEmpty()) {
      report.put("server", common.server().between(probe[0], probe[2], delivered));
    }
    return report;
  }

  /** The other clients in the room of the {@code i}-th: rooms are consecutive runs of room-size clients. */
  private List<BenchClient> mates(List<BenchClient> clients, int i) {
    int room = i / settings.roomSize();
    List<BenchClient> mates = new ArrayList<>();
    for (int j = room * settings.roomSize(); j < (room + 1) * settings.roomSize(); j++) {
      if (j != i) {
        mates.add(clients.get(j));
      }
    }
    return mates;
  }

  private static Future<Void> onLoop(BenchClient client, RelayReceiver receiver) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    client.context().runOnContext(v -> {
      client.onFrame(receiver::accept);
      done.complete();
    });
    return done.future();
  }

  /** How long nothing more must arrive before the count is final (late duplicates still count). */
  private static final long QUIET_NANOS = 200_000_000L;

  /**
   * Waits (bounded) until every measured frame arrived once and then nothing more arrived for a
   * moment, so that a repeat sent right after the last original is counted too; or until the
   * drain time is up.
   */
  private void drain(List<RelayReceiver> receivers, LongAdder sentMeasured, LongAdder arrived) {
    long deadline = System.nanoTime() + settings.drain().toNanos();
    long lastCount = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long count = arrived.sum();
      long now = System.nanoTime();
      if (count != lastCount) {
        lastCount = count;
        quietSince = now;
      }
      boolean allArrived = receivers.stream().mapToLong(RelayReceiver::uniqueMeasured).sum() >= sentMeasured.sum();
      if (allArrived && now - quietSince >= QUIET_NANOS) {
        return;
      }
      Harness.await(harness.after(Duration.ofMillis(20)), Duration.ofSeconds(5));
    }
  }

  private static ProcessProbe.Sample sample(ProcessProbe probe) {
    return probe.isEmpty() ? null : probe.sample();
  }

  private JsonObject header() {
    return new JsonObject()
        .put("scenario", "relay")
        .put("urls", harness.settings().targets().urls())
        .put("clients", settings.clients())
        .put("roomSize", settings.roomSize())
        .put("rate", settings.rate())
        .put("warmupS", settings.warmup().toMillis() / 1000.0)
        .put("windowS", settings.window().toMillis() / 1000.0)
        .put("frameBytes", settings.frameBytes());
  }

  private JsonObject failed(String error) {
    return header().put("error", error)
        .put("failures", harness.failures().toJson())
        .put("errors", harness.errors().toJson())
        .put("closes", harness.closes().toJson());
  }
}
