package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.bench.ChurnScenario;
import io.signalmesh.bench.Harness;
import io.signalmesh.bench.ProcessProbe;
import io.signalmesh.bench.Targets;
import io.signalmesh.cli.DurationConverter;
import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.NginxBalancer;
import io.signalmesh.testsupport.NodeProcess;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos under load (docs/reliability.md): three nodes behind nginx, calls of two relaying
 * numbered messages without pause, the churn load of the benchmarks setting calls up and
 * tearing them down beside them, and every {@code chaos.kill-every} (60 s) a random node killed
 * with SIGKILL and restarted on the same ports. Then every message is accounted for
 * ({@link DeliveryCheck}), nobody saw a partner leave that resumed in time, no room holds a
 * ghost, and no node's live heap grew.
 *
 * <p>System properties: {@code chaos.duration} (3m; the soak is {@code 30m}), {@code chaos.seed}
 * (the random kills; logged, pass it to replay a run), {@code chaos.pairs} (100),
 * {@code chaos.kill-every} (60s), {@code chaos.relay-every} (1s per client).
 */
@Timeout(value = 90, unit = TimeUnit.MINUTES) // bounds the soak too; the CI run takes about 4 minutes
class ChaosUnderLoadIT {

  private static final DurationConverter DURATIONS = new DurationConverter();
  private static final int GRACE_SECONDS = 10;
  /** Liveness TTL + a heartbeat check + the grace + reaping: a dead node's leftovers are gone by then. */
  private static final Duration REAPED_WITHIN = Duration.ofSeconds(5 + 1 + GRACE_SECONDS + 10);
  /** Live heap may vary this much between samples under the same load before it counts as growth. */
  private static final double HEAP_GROWTH_FACTOR = 1.25;
  private static final long HEAP_SLACK_BYTES = 8L << 20;

  private final Duration duration = duration("chaos.duration", "3m");
  private final Duration killEvery = duration("chaos.kill-every", "60s");
  private final Duration relayEvery = duration("chaos.relay-every", "1s");
  private final int pairs = Integer.getInteger("chaos.pairs", 100);
  private final long seed = Long.getLong("chaos.seed", System.nanoTime());

  @AutoClose
  private MeshCluster mesh;
  @AutoClose
  private NginxBalancer nginx;
  private final List<CallPeer> peers = new ArrayList<>();
  private final ScheduledExecutorService ticks = Executors.newScheduledThreadPool(4);
  private final ExecutorService background = Executors.newCachedThreadPool();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stopLoad() {
    ticks.shutdownNow();
    peers.forEach(CallPeer::close);
    background.shutdownNow();
  }

  @Test
  void everyMessageIsAccountedForWhileRandomNodesAreKilledUnderLoad() throws Exception {
    log("seed " + seed + " (replay with -Dchaos.seed=" + seed + "), duration " + duration.toSeconds() + "s, "
        + pairs + " calls, a kill every " + killEvery.toSeconds() + "s");
    mesh = MeshCluster.start("chaos", 3, "--resume-grace", Integer.toString(GRACE_SECONDS),
        "--max-connections-per-ip", "2000");
    nginx = NginxBalancer.start(List.of(mesh.node(0).port(), mesh.node(1).port(), mesh.node(2).port()));
    String url = "ws://127.0.0.1:" + nginx.port();
    startCalls(url);
    log(peers.size() + " clients in " + pairs + " calls");

    Random random = new Random(seed);
    List<Long> kills = new ArrayList<>();
    Map<Long, List<long[]>> heap = new HashMap<>();
    CompletableFuture<JsonObject> churn = CompletableFuture.supplyAsync(() -> runChurn(url), background);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    for (long next = start + killEvery.toNanos() / 2; next + killEvery.toNanos() / 2 <= end; next += killEvery.toNanos()) {
      awaitUntil(next);
      sampleHeap(heap);
      NodeProcess victim = mesh.node(random.nextInt(3));
      kills.add(System.nanoTime());
      victim.kill();
      log("killed " + victim.nodeId() + " at " + secondsSince(start) + "s");
      victim.start().awaitReady();
      log("restarted " + victim.nodeId() + ", ready at " + secondsSince(start) + "s");
    }
    awaitUntil(end);
    sampleHeap(heap);
    peers.forEach(CallPeer::stop);
    JsonObject churnReport = churn.get(2, TimeUnit.MINUTES);
    awaitQuiet();

    DeliveryCheck check = new DeliveryCheck(kills);
    for (int i = 0; i < peers.size(); i += 2) {
      check.check(peers.get(i), peers.get(i + 1));
      check.check(peers.get(i + 1), peers.get(i));
    }
    DeliveryCheck.Result result = check.result();
    int resumes = peers.stream().mapToInt(CallPeer::resumes).sum();
    log("messages: " + result + ", resumes " + resumes);
    log("churn: " + churnReport.encode());
    assertThat(result.violations).as("every relayed message accounted for").isEmpty();
    assertThat(peers.stream().flatMap(p -> p.problems().stream()).toList())
        .as("sessions resumed, and no partner seen leaving or joining again").isEmpty();
    assertThat(result.delivered).as("the calls kept talking").isGreaterThan(result.sent * 9 / 10);
    assertThat(resumes).as("kills dropped clients, which resumed").isGreaterThan(0);
    assertThat(churnReport.getLong("completed")).as("call set-ups went on beside").isGreaterThan(0);
    assertThat(churnReport.getLong("wrongSender")).as("no churn frame from a wrong sender").isZero();
    assertThat(churnReport.getJsonObject("errors").fieldNames())
        .as("no answer to a newcomer's offer refused: its join announcement reached every node first")
        .doesNotContain("unknown-peer");

    assertNoGhosts();
    assertHeapFlat(heap);
  }

  private void startCalls(String url) {
    Duration resumeWithin = Duration.ofSeconds(GRACE_SECONDS - 2);
    for (int i = 0; i < pairs; i++) {
      CallPeer a = new CallPeer(http, background, url, "chaos-" + i, "a" + i, resumeWithin);
      CallPeer b = new CallPeer(http, background, url, "chaos-" + i, "b" + i, resumeWithin);
      peers.add(a);
      peers.add(b);
      a.start();
      b.start();
    }
    awaitCondition("every call joined", Duration.ofSeconds(60), () -> peers.stream().allMatch(CallPeer::ready));
    Random offsets = new Random(seed);
    for (CallPeer peer : peers) {
      ticks.scheduleAtFixedRate(peer::relayNext, offsets.nextInt((int) relayEvery.toMillis()), relayEvery.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private JsonObject runChurn(String url) {
    Harness.Settings settings = new Harness.Settings(Targets.of(List.of(url + "/ws"), false), 1, false,
        Duration.ofSeconds(10), 50, 20, new ProcessProbe(List.of()), new PrintStream(PrintStream.nullOutputStream()));
    try (Harness harness = Harness.start(settings, 64)) {
      return new ChurnScenario(harness, new ChurnScenario.Settings(2, duration, 4, 1000, false)).run();
    }
  }

  /** Waits until every relay is answered and every settled one has arrived (or a minute passes: the check tells). */
  private void awaitQuiet() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      boolean quiet = peers.stream().allMatch(CallPeer::quiet);
      boolean arrived = true;
      for (int i = 0; i < peers.size() && arrived; i += 2) {
        arrived = settledArrived(peers.get(i), peers.get(i + 1)) && settledArrived(peers.get(i + 1), peers.get(i));
      }
      if (quiet && arrived) {
        return;
      }
      sleep(Duration.ofMillis(200));
    }
    log("not quiet after a minute; checking anyway");
  }

  private static boolean settledArrived(CallPeer from, CallPeer to) {
    Set<Long> got = new HashSet<>();
    to.received().forEach(in -> got.add(in.seq()));
    return from.sent().stream().filter(o -> o.settledNanos >= 0 && o.error == null).allMatch(o -> got.contains(o.seq));
  }

  /** Every room per admin REST (any node) and per Redis holds exactly the two clients of its call. */
  private void assertNoGhosts() {
    AdminRest admin = new AdminRest(mesh.node(0).managementPort());
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < pairs; i++) {
      expected.add("chaos-" + i);
    }
    awaitCondition("only the calls' rooms, each with its two clients (dead nodes' leftovers reaped)", REAPED_WITHIN,
        () -> roomsWithTwo(admin.rooms()).equals(expected) && admin.rooms().getJsonArray("rooms").size() == pairs);
    for (int i = 0; i < peers.size(); i += 2) {
      CallPeer a = peers.get(i);
      CallPeer b = peers.get(i + 1);
      JsonObject room = admin.room(a.room());
      assertThat(room).as("room " + a.room()).isNotNull();
      Map<String, String> states = new HashMap<>();
      room.getJsonArray("participants").forEach(p -> states.put(((JsonObject) p).getString("id"),
          ((JsonObject) p).getString("state")));
      assertThat(states).as("admin view of " + a.room()).containsOnlyKeys(a.clientId(), b.clientId());
      assertThat(states.values()).as("both connected in " + a.room()).containsOnly("connected");
      String key = "signalmesh:room:{" + a.room() + "}:members";
      assertThat(mesh.redis().command("HLEN", key)).as("Redis members of " + a.room()).isEqualTo("2");
      assertThat(mesh.redis().command("HEXISTS", key, a.clientId())).isEqualTo("1");
      assertThat(mesh.redis().command("HEXISTS", key, b.clientId())).isEqualTo("1");
    }
  }

  private static Set<String> roomsWithTwo(JsonObject page) {
    Set<String> rooms = new HashSet<>();
    page.getJsonArray("rooms").forEach(r -> {
      JsonObject room = (JsonObject) r;
      if (room.getInteger("participants") == 2) {
        rooms.add(room.getString("roomId"));
      }
    });
    return rooms;
  }

  /** Live heap (after a full GC) of every node that is up, keyed by process. */
  private void sampleHeap(Map<Long, List<long[]>> heap) {
    for (int i = 0; i < 3; i++) {
      NodeProcess node = mesh.node(i);
      if (!node.isAlive()) {
        continue;
      }
      try {
        long bytes = ProcessSignals.liveHeapBytes(node.pid());
        heap.computeIfAbsent(node.pid(), pid -> new ArrayList<>()).add(new long[] {System.nanoTime(), bytes});
        log(node.nodeId() + " (pid " + node.pid() + ") live heap " + (bytes >> 20) + " MB, RSS "
            + (ProcessSignals.rssKb(node.pid()) >> 10) + " MB");
      } catch (RuntimeException e) {
        log("no heap sample of " + node.nodeId() + ": " + e.getMessage());
      }
    }
  }

  /** A node that served for a while under load holds no more live heap at the end than it did early on. */
  private void assertHeapFlat(Map<Long, List<long[]>> heap) {
    int compared = 0;
    for (Map.Entry<Long, List<long[]>> run : heap.entrySet()) {
      List<long[]> samples = run.getValue();
      if (samples.size() < 2) {
        continue;
      }
      long first = samples.get(0)[1];
      long last = samples.get(samples.size() - 1)[1];
      compared++;
      assertThat(last).as("live heap of pid " + run.getKey() + " at the end vs its first sample under load ("
          + (first >> 20) + " MB)").isLessThanOrEqualTo((long) (first * HEAP_GROWTH_FACTOR) + HEAP_SLACK_BYTES);
    }
    assertThat(compared).as("at least one node was sampled twice under load").isPositive();
  }

  private static void awaitUntil(long nanos) {
    long left = nanos - System.nanoTime();
    if (left > 0) {
      sleep(Duration.ofNanos(left));
    }
  }

  /** Sleeps for the schedule of the run (kills every minute), never to wait for a condition. */
  private static void sleep(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void awaitCondition(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    io.signalmesh.testsupport.Wait.until(what, timeout, condition);
  }

  private static long secondsSince(long start) {
    return (System.nanoTime() - start) / 1_000_000_000L;
  }

  private static Duration duration(String property, String fallback) {
    return DURATIONS.convert(System.getProperty(property, fallback));
  }

  private static void log(String line) {
    System.out.println("[chaos] " + line);
  }
}
