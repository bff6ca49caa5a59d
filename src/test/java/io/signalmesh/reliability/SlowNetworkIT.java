package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.signalmesh.testsupport.netns.NamespacedMesh;
import io.signalmesh.testsupport.netns.NamespacedNode;
import io.signalmesh.testsupport.netns.RelayLedger;
import io.signalmesh.testsupport.netns.SlowPathRelay;
import io.signalmesh.testsupport.netns.TestNetwork;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow network (docs/reliability.md). This kernel has no {@code tc netem}, so node A's path is
 * made slow with what it has: random packet loss on A's back link (nft {@code numgen random}
 * drop, both directions, all of A's cluster traffic: Hazelcast, event bus, Redis), a rate limit
 * on it ({@code tc tbf}), and, on every event-bus connection to and from A, a userspace relay
 * (nft DNAT sends those connections through it) that adds latency and jitter, stalls all
 * forwarding now and then, and now and then cuts a connection (RST), losing what it carried.
 * Signaling between clients on A and on the other nodes must still arrive: every message once,
 * in order, none lost.
 */
@Timeout(150)
class SlowNetworkIT {

  private static final String ROOM = "slow-call";
  private static final SlowPathRelay.Profile PROFILE = new SlowPathRelay.Profile(Duration.ofMillis(80),
      Duration.ofMillis(120), Duration.ofSeconds(5), Duration.ofMillis(1200), Duration.ofSeconds(6));
  private static final int LOSS_PERCENT = 3;
  private static final String RATE = "2mbit";
  private static final Duration SENDING = Duration.ofSeconds(20);
  private static final long SEND_INTERVAL_NANOS = 100_000_000L;
  /** Everything sent has arrived this long after the sending stopped (the longest stall plus resends). */
  private static final Duration DRAIN_BOUND = Duration.ofSeconds(15);

  @AutoClose
  private NamespacedMesh mesh;
  private final List<SlowPathRelay> relays = new ArrayList<>();

  @AfterEach
  void closeRelays() {
    relays.forEach(SlowPathRelay::close);
  }

  @Test
  void signalingOverASlowLossyPathToOneNodeArrivesOnceAndInOrder() {
    long seed = System.nanoTime();
    mesh = NamespacedMesh.start("slow", 3, network -> routeEventBusThroughRelays(network, seed));
    TestNetwork network = mesh.network();
    NamespacedNode slow = mesh.node(0);
    network.nft(slow.host(), lossScript(LOSS_PERCENT));
    network.limitBackRate(slow.host(), RATE);

    try (TestClient a = slow.connect(); TestClient b = mesh.node(1).connect(); TestClient c = mesh.node(2).connect()) {
      a.join(ROOM);
      b.join(ROOM);
      c.join(ROOM);
      a.expectWithin("participant-joined", m -> b.id().equals(m.getString("participantId")), Duration.ofSeconds(20));
      a.expectWithin("participant-joined", m -> c.id().equals(m.getString("participantId")), Duration.ofSeconds(20));
      b.expectWithin("participant-joined", m -> c.id().equals(m.getString("participantId")), Duration.ofSeconds(20));
      RelayLedger ledger = new RelayLedger(a, b, c);
      List<TestClient[]> streams = List.of(new TestClient[] {b, a}, new TestClient[] {a, b}, new TestClient[] {c, a},
          new TestClient[] {a, c}, new TestClient[] {b, c});

      long until = System.nanoTime() + SENDING.toNanos();
      while (System.nanoTime() < until) {
        streams.forEach(s -> ledger.send(s[0], s[1]));
        ledger.collect();
        LockSupport.parkNanos(SEND_INTERVAL_NANOS);
      }
      Wait.until("every message to arrive", DRAIN_BOUND, () -> {
        ledger.collect();
        return streams.stream().allMatch(s -> ledger.allDelivered(s[0], s[1]));
      });
      ledger.collect();

      for (TestClient[] stream : streams) {
        ledger.assertStream(stream[0], stream[1], true);
      }
      for (TestClient client : List.of(a, b, c)) {
        assertThat(ledger.othersOf(client)).as("what else %s got", client.id())
            .noneMatch(m -> List.of("participant-left", "peer-disconnected", "error").contains(m.getString("type")));
      }
      // the path really was slow and unreliable
      assertThat(relays).allSatisfy(relay -> assertThat(relay.bytes()).as("bytes through a relay").isPositive());
      assertThat(relays.stream().mapToInt(SlowPathRelay::stalls).sum()).as("stalls").isPositive();
      assertThat(relays.stream().mapToInt(SlowPathRelay::cuts).sum()).as("connections cut").isPositive();
      long dropped = droppedPackets(network.exec(slow.host(), "nft", "list", "table", "inet", "smnet_loss"));
      assertThat(dropped).as("packets dropped on the slow link").isPositive();
      System.out.printf("slow network: %d messages, delay p50 %d ms, p99 %d ms, max %d ms; %d packets dropped, "
              + "%d stalls, %d connections cut%n", streams.stream().mapToInt(s -> ledger.sent(s[0], s[1])).sum(),
          ledger.delay(50).toMillis(), ledger.delay(99).toMillis(), ledger.delay(100).toMillis(), dropped,
          relays.stream().mapToInt(SlowPathRelay::stalls).sum(), relays.stream().mapToInt(SlowPathRelay::cuts).sum());
    }
  }

  /**
   * Event-bus connections to node 1 (from nodes 2 and 3) and from node 1 (to nodes 2 and 3) go
   * through a relay each, in the root namespace: nft DNAT on the connecting side's output.
   */
  private void routeEventBusThroughRelays(TestNetwork network, long seed) {
    int port = NamespacedNode.EVENT_BUS_PORT;
    TestNetwork.Host slow = network.node(0);
    List<String> towardsOthers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestNetwork.Host host = network.node(i);
      SlowPathRelay relay = SlowPathRelay.start(network.rootBackAddress(), new InetSocketAddress(host.backAddress(), port),
          PROFILE, seed + i);
      relays.add(relay);
      String rule = "ip daddr %s tcp dport %d dnat to %s:%d".formatted(host.backAddress(), port,
          network.rootBackAddress(), relay.port());
      if (i == 0) {
        network.nft(network.node(1), natScript(List.of(rule)));
        network.nft(network.node(2), natScript(List.of(rule)));
      } else {
        towardsOthers.add(rule);
      }
    }
    network.nft(slow, natScript(towardsOthers));
  }

  private static String natScript(List<String> rules) {
    return """
        table ip smnet_slow {
          chain out {
            type nat hook output priority -100; policy accept;
            %s
          }
        }
        """.formatted(String.join("\n    ", rules));
  }

  /** Drops {@code percent} % of the packets on the back link, each direction, counted. */
  private static String lossScript(int percent) {
    return """
        table inet smnet_loss {
          chain in {
            type filter hook input priority 0; policy accept;
            iifname "back" numgen random mod 100 < %1$d counter drop
          }
          chain out {
            type filter hook output priority 0; policy accept;
            oifname "back" numgen random mod 100 < %1$d counter drop
          }
        }
        """.formatted(percent);
  }

  private static long droppedPackets(String ruleset) {
    long dropped = 0;
    Matcher counter = Pattern.compile("counter packets (\\d+)").matcher(ruleset);
    while (counter.find()) {
      dropped += Long.parseLong(counter.group(1));
    }
    return dropped;
  }
}
