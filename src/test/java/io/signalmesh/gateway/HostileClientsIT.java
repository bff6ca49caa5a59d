package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.auth.RoomTokenIssuer;
import io.signalmesh.testsupport.NodeProcess;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One node (its own JVM) attacked by every kind of misbehaving client of docs/security.md at
 * once for about 48 s, while three pairs of honest clients on the same node relay numbered
 * offers to each other. Honest clients get every offer, once, in order, and never an error; every
 * attacker gets the protocol's answer (an error and its close code, a 4xx at the upgrade, a 401
 * from the admin API); the node logs no ERROR, leaves no attacker's room or session behind, and
 * its live heap after a full collection ends where it was after the warm-up, within
 * {@link #HEAP_MARGIN_BYTES}. Attackers come from their own loopback addresses (127.0.0.11-24),
 * as strangers would; the honest clients from 127.0.0.1.
 */
@Timeout(150)
class HostileClientsIT {

  private static final String ADMIN_KEY = "hostile-soak-admin-key-0123456789";
  private static final int MAX_MESSAGE = 16384;
  private static final int RATE_BURST = 100;
  private static final int JOIN_BURST = 10;
  private static final int MAX_CONNECTIONS_PER_IP = 16;
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration WARM_UP = Duration.ofSeconds(8);
  private static final Duration ATTACK = Duration.ofSeconds(40);
  /**
   * How far the live heap after a full collection may end above its value after the warm-up.
   * Measured (docs/security.md, Hostile input): -0.2 to +0.5 MiB over three runs of ~11 MiB,
   * while the attack opens about five thousand connections; the session leak this soak found
   * grew it by 3.4 MiB. 2 MiB is four times the noise and well under that leak; the instance
   * counts below catch a per-connection leak however few connections a slow machine opens.
   */
  private static final long HEAP_MARGIN_BYTES = 2L * 1024 * 1024;
  /**
   * How many more instances of any one signalmesh class may be live after the attack than after
   * the warm-up, when attackers were in flight: a few dozen sessions at most. A leak of one
   * object per connection shows as thousands, however fast the machine is.
   */
  private static final long INSTANCE_MARGIN = 50;
  /**
   * What a connection or a session holds: none of it may outlive them. (Client ids do, for a
   * minute, as departure tombstones of the room views: bounded by the rate of leaves.)
   */
  private static final List<String> PER_CONNECTION = List.of("io.signalmesh.session.Session",
      "io.signalmesh.session.ResumeInbox", "io.signalmesh.session.TokenBucket", "io.signalmesh.gateway.WebSocketConnection",
      "io.signalmesh.gateway.MessageAssembler", "io.signalmesh.auth.RoomToken", "io.signalmesh.presence.Member");
  private static final Pattern ERROR_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ERROR.*");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** One kind of attacker: where it comes from, how often it strikes, what the node must answer. */
  private record Attack(String name, String from, long pauseMillis, Function<String, String> round, String... expected) {}

  @Test
  void honestClientsKeepRelayingInOrderAndTheHeapStaysFlatWhileEveryKindOfAttackerStrikes() throws Exception {
    try (NodeProcess node = NodeProcess.create("hostile", List.of(
        "--token-secret", Attackers.SECRET, "--admin-key", ADMIN_KEY,
        "--allowed-origins", "https://app.signalmesh.test",
        "--max-message-bytes", Integer.toString(MAX_MESSAGE),
        "--rate-limit", "50", "--rate-burst", Integer.toString(RATE_BURST),
        "--join-rate", "5", "--join-burst", Integer.toString(JOIN_BURST),
        "--max-rooms-per-client", "4", "--room-capacity", "20",
        "--max-connections-per-ip", Integer.toString(MAX_CONNECTIONS_PER_IP),
        "--handshake-timeout", HANDSHAKE_TIMEOUT.toMillis() + "ms",
        "--auth-failure-delay", "50ms", "--auth-failure-max-delay", "1s",
        "--max-pending-bytes", "262144", "--resume-grace", "5",
        "--ping-interval", "5s", "--idle-timeout", "15s")).start().awaitReady()) {
      RoomTokenIssuer issuer = new RoomTokenIssuer(Attackers.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
      Attackers attackers = new Attackers(node.port(), node.managementPort(), ADMIN_KEY, issuer,
          new Attackers.Limits(MAX_MESSAGE, RATE_BURST, JOIN_BURST, MAX_CONNECTIONS_PER_IP, HANDSHAKE_TIMEOUT));
      try (HonestTraffic honest = new HonestTraffic(3, i -> honestClient(node, issuer, i), attackers.spooferIds)) {
        attackers.aimAt(honest.ids(), honest.sessionTokens(), honest.client(0).id());
        Map<String, Integer> honestRooms = rooms(node);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService honestLoop = Executors.newSingleThreadScheduledExecutor();
        honestLoop.scheduleAtFixedRate(guarded(failures, () -> {
          honest.tick();
          honest.check();
        }), 0, 50, TimeUnit.MILLISECONDS);

        List<Attack> attacks = attacks(attackers);
        Map<String, Map<String, AtomicLong>> outcomes = new ConcurrentHashMap<>();
        ScheduledExecutorService attackLoops = Executors.newScheduledThreadPool(attacks.size());
        // the stop interrupts rounds in flight (an admin call then fails with an InterruptedException):
        // what a round came to after the stop is the test's doing, not the node's answer
        AtomicBoolean stopping = new AtomicBoolean();
        for (Attack attack : attacks) {
          attackLoops.scheduleWithFixedDelay(guarded(failures, () -> {
            String outcome;
            try {
              outcome = attack.round().apply(attack.from());
            } catch (RuntimeException | AssertionError e) {
              outcome = "failed: " + e;
            }
            if (stopping.get()) {
              return;
            }
            outcomes.computeIfAbsent(attack.name(), n -> new ConcurrentHashMap<>())
                .computeIfAbsent(outcome, o -> new AtomicLong()).incrementAndGet();
          }), 0, attack.pauseMillis(), TimeUnit.MILLISECONDS);
        }

        HeapProbe heap = new HeapProbe(node.pid());
        watch(node, WARM_UP);
        HeapProbe.Live afterWarmUp = heap.measure();
        watch(node, ATTACK.dividedBy(2));
        HeapProbe.Live midAttack = heap.measure();
        watch(node, ATTACK.dividedBy(2));
        stopping.set(true);
        attackLoops.shutdownNow();
        assertThat(attackLoops.awaitTermination(30, TimeUnit.SECONDS)).as("attackers stopped").isTrue();

        Wait.until("the node to hold only the honest clients' sessions and rooms", Duration.ofSeconds(20),
            () -> sessions(node) == 6 && rooms(node).equals(honestRooms));
        HeapProbe.Live afterAttack = heap.measure();
        honestLoop.shutdown();
        assertThat(honestLoop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        honest.awaitDelivered(Duration.ofSeconds(20));

        String report = report(outcomes, attackers, honest, afterWarmUp, midAttack, afterAttack);
        System.out.println(report);
        assertThat(failures).as(report).isEmpty();
        assertThat(honest.violations()).as(report).isEmpty();
        assertThat(honest.allDelivered()).as("every honest offer arrived: %s%n%s", honest.progress(), report).isTrue();
        assertThat(honest.offersFromAttackers()).as("the victim got the spoofer's offers, stamped with its real id")
            .isNotEmpty();
        for (Attack attack : attacks) {
          Map<String, AtomicLong> answers = outcomes.getOrDefault(attack.name(), Map.of());
          assertThat(answers).as("%s: the node's answers%n%s", attack.name(), report).isNotEmpty();
          assertThat(answers.keySet()).as("%s: the node's answers%n%s", attack.name(), report)
              .contains(attack.expected()[0]).isSubsetOf(List.of(attack.expected()));
        }
        assertThat(attackers.joinsSent.get()).as("join attempts").isGreaterThan(2000);
        assertThat(Files.readAllLines(node.log()).stream().filter(line -> ERROR_LINE.matcher(line).matches()
            || line.contains("OutOfMemoryError") || line.contains("Exception in thread")).toList())
            .as("errors in %s", node.log()).isEmpty();
        assertThat(afterAttack.bytes() - afterWarmUp.bytes()).as("live heap growth over the attack%n%s", report)
            .isLessThanOrEqualTo(HEAP_MARGIN_BYTES);
        for (String type : PER_CONNECTION) {
          assertThat(afterAttack.signalmeshInstances().getOrDefault(type, 0L))
              .as("live %s after the attack (after the warm-up: %s)%n%s", type,
                  afterWarmUp.signalmeshInstances().get(type), report)
              .isLessThanOrEqualTo(afterWarmUp.signalmeshInstances().getOrDefault(type, 0L) + INSTANCE_MARGIN);
        }
      }
    }
  }

  private static List<Attack> attacks(Attackers a) {
    return List.of(
        new Attack("message flood", "127.0.0.11", 200, a::flood, "rate-limited+1008"),
        new Attack("oversized frames", "127.0.0.12", 100, a::oversized, "too-large+1009"),
        new Attack("endless fragments", "127.0.0.13", 100, a::endlessFragments, "too-large+1009"),
        // refused on the frame's header, its payload unread: the close can reach the client as a reset
        new Attack("compression bomb", "127.0.0.14", 100, a::compressionBomb, "bad-message+1002", "+reset"),
        new Attack("garbage and binary frames", "127.0.0.15", 100, a::garbage, "errors as named, binary: bad-message+1003"),
        new Attack("slowloris upgrades", "127.0.0.16", 10, a::slowloris, "closed at the handshake timeout"),
        new Attack("upgrades with a body", "127.0.0.17", 50, a::upgradeWithBody, "400"),
        new Attack("foreign origins", "127.0.0.18", 50, a::foreignOrigin, "403"),
        new Attack("connections past the per-address limit", "127.0.0.19", 500, a::connectionHog, "429 past the limit"),
        new Attack("join storm", "127.0.0.20", 500, a::joinStorm, "joins limited"),
        new Attack("join storm 2", "127.0.0.21", 500, a::joinStorm, "joins limited"),
        new Attack("spoofed sender ids", "127.0.0.22", 200, a::spoofer, "unknown-peer for strangers"),
        new Attack("guessed resume tokens", "127.0.0.23", 100, a::resumeGuesser, "fresh sessions"),
        new Attack("bad room tokens", "127.0.0.24", 100, a::badRoomTokens, "unauthorized+4001"),
        new Attack("admin without the key", "127.0.0.1", 100, a::adminWithoutKey, "401"));
  }

  /**
   * Honest clients: pairs in their own rooms ("shared-honest", "honest-1", "honest-2"); the first
   * (the victim) may also join "shared-lobby", where the spoofing attacker comes in.
   */
  private static TestClient honestClient(NodeProcess node, RoomTokenIssuer issuer, int i) {
    String room = i < 2 ? "shared-honest" : "honest-" + (i / 2);
    String claim = i == 0 ? "shared-*" : room;
    TestClient client = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws?token="
        + issuer.issue("honest-" + i, claim, "Honest " + i, Duration.ofMinutes(30), null));
    client.join(room, "Honest " + i);
    if (i == 0) {
      client.join("shared-lobby", "Victim");
    }
    return client;
  }

  /** Watches the node for {@code phase}: it must stay alive and live. */
  private static void watch(NodeProcess node, Duration phase) throws Exception {
    long end = System.nanoTime() + phase.toNanos();
    while (System.nanoTime() - end < 0) {
      assertThat(node.isAlive()).as("node process alive").isTrue();
      HttpResponse<Void> live = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.managementPort() + "/health/live")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(live.statusCode()).as("/health/live").isEqualTo(200);
      LockSupport.parkNanos(Math.min(Duration.ofSeconds(1).toNanos(), Math.max(0, end - System.nanoTime())));
    }
  }

  private static Map<String, Integer> rooms(NodeProcess node) {
    Map<String, Integer> rooms = new TreeMap<>();
    adminGet(node, "/admin/rooms?limit=1000").getJsonArray("rooms").forEach(r -> {
      JsonObject room = (JsonObject) r;
      rooms.put(room.getString("roomId"), room.getInteger("participants"));
    });
    return rooms;
  }

  private static int sessions(NodeProcess node) {
    return adminGet(node, "/admin/nodes").getJsonArray("nodes").getJsonObject(0).getInteger("sessions");
  }

  private static JsonObject adminGet(NodeProcess node, String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.managementPort() + path)).header("Authorization", "Bearer " + ADMIN_KEY)
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("GET %s with the admin key", path).isEqualTo(200);
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Runnable guarded(ConcurrentLinkedQueue<String> failures, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | AssertionError e) {
        // a scheduled task that throws is silently never run again: record it instead
        failures.add(String.valueOf(e));
      }
    };
  }

  private static String report(Map<String, Map<String, AtomicLong>> outcomes, Attackers attackers,
      HonestTraffic honest, HeapProbe.Live afterWarmUp, HeapProbe.Live midAttack, HeapProbe.Live afterAttack) {
    StringBuilder out = new StringBuilder("hostile clients soak\n");
    Map<String, Map<String, AtomicLong>> sorted = new LinkedHashMap<>(new TreeMap<>(outcomes));
    sorted.forEach((attack, answers) -> out.append(String.format("  %-40s %s%n", attack, answers)));
    out.append(String.format("  join attempts %d; honest offers sent %d; spoofed offers the victim got, stamped"
        + " with the spoofer's real id: %d%n", attackers.joinsSent.get(), honest.offersSent(),
        honest.offersFromAttackers().values().stream().mapToLong(Long::longValue).sum()));
    out.append(String.format("  live heap after full GC: warm-up %d B, mid-attack %d B, after %d B (growth %+d B)%n",
        afterWarmUp.bytes(), midAttack.bytes(), afterAttack.bytes(), afterAttack.bytes() - afterWarmUp.bytes()));
    for (String type : PER_CONNECTION) {
      out.append(String.format("  live %-45s warm-up %5d, mid-attack %5d, after %5d%n", type,
          afterWarmUp.signalmeshInstances().getOrDefault(type, 0L), midAttack.signalmeshInstances().getOrDefault(type, 0L),
          afterAttack.signalmeshInstances().getOrDefault(type, 0L)));
    }
    out.append("  largest classes after warm-up:\n");
    afterWarmUp.largest().forEach(line -> out.append("    ").append(line).append('\n'));
    out.append("  largest classes after the attack:\n");
    afterAttack.largest().forEach(line -> out.append("    ").append(line).append('\n'));
    return out.toString();
  }
}
