package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.signalmesh.testsupport.netns.NamespacedMesh;
import io.signalmesh.testsupport.netns.NamespacedNode;
import io.signalmesh.testsupport.netns.RelayLedger;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Event-bus port blocked between two nodes (docs/reliability.md): nft rules in one node's
 * namespace drop the event-bus traffic to and from one other node, both directions, while
 * Hazelcast and Redis stay reachable. Relays across the blocked path are never dropped
 * silently: their senders get {@code unavailable} errors naming the target; traffic comes
 * back by itself when the path opens.
 */
@Timeout(120)
class EventBusBlockedIT {

  private static final String ROOM = "blocked-call";
  /** Documented: a frame not confirmed within 8 s is given up and its sender told; the test allows 3 s more. */
  private static final Duration REPORT_BOUND = Duration.ofSeconds(11);
  /** Documented: traffic flows again within a few seconds of the path opening (connect timeout 2 s, resend every 1 s). */
  private static final Duration RECOVERY_BOUND = Duration.ofSeconds(8);
  private static final long SEND_INTERVAL_NANOS = 100_000_000L;

  @AutoClose
  private NamespacedMesh mesh;

  @Test
  void relaysAcrossABlockedEventBusPathAreReportedToTheirSendersAndFlowAgainWhenItOpens() {
    mesh = NamespacedMesh.start("ebblock", 3);
    NamespacedNode nodeA = mesh.node(0);
    NamespacedNode nodeB = mesh.node(1);
    try (TestClient a = nodeA.connect(); TestClient b = nodeB.connect(); TestClient c = mesh.node(2).connect()) {
      a.join(ROOM);
      b.join(ROOM);
      c.join(ROOM);
      a.expect("participant-joined", m -> b.id().equals(m.getString("participantId")));
      a.expect("participant-joined", m -> c.id().equals(m.getString("participantId")));
      b.expect("participant-joined", m -> c.id().equals(m.getString("participantId")));
      RelayLedger ledger = new RelayLedger(a, b, c);
      List<TestClient[]> streams = List.of(new TestClient[] {b, a}, new TestClient[] {a, b}, new TestClient[] {c, a},
          new TestClient[] {a, c});
      for (int i = 0; i < 5; i++) {
        streams.forEach(s -> ledger.send(s[0], s[1]));
      }
      awaitAll("messages before the block", ledger, streams, Duration.ofSeconds(10), ledger::allDelivered);
      // so that no message delivered before the block waits for its confirmation across it
      Wait.until("every node to have its frames confirmed", Duration.ofSeconds(10), () ->
          mesh.nodes().stream().allMatch(n -> n.metric("signalmesh_mesh_unconfirmed") == 0));

      mesh.network().nft(nodeA.host(), NamespacedNode.eventBusBlockRules(nodeB.host().backAddress()));
      int firstBlocked = ledger.sent(b, a) + 1;
      long blockedAt = System.nanoTime();
      long deadline = blockedAt + REPORT_BOUND.toNanos();
      while (ledger.firstError(b, a) == null || ledger.firstError(a, b) == null) {
        assertThat(System.nanoTime() - deadline).as("both senders told of lost messages within %s", REPORT_BOUND)
            .isNegative();
        streams.forEach(s -> ledger.send(s[0], s[1]));
        ledger.collect();
        LockSupport.parkNanos(SEND_INTERVAL_NANOS);
      }
      Duration reportedAfter = Duration.ofNanos(ledger.firstError(b, a) - ledger.sentAt(b, a, firstBlocked));
      assertThat(ledger.errors(c, a) + ledger.errors(a, c)).as("errors on the open path between A and C").isZero();
      assertThat(ledger.received(c, a).size()).as("C to A flows during the block").isGreaterThan(firstBlocked + 10);

      mesh.network().flushNft(nodeA.host());
      long openedAt = System.nanoTime();
      int firstAfter = ledger.send(b, a);
      int firstAfterBack = ledger.send(a, b);
      Wait.until("a message sent after the path opened to arrive", RECOVERY_BOUND, () -> {
        ledger.collect();
        return ledger.received(b, a).contains(firstAfter) && ledger.received(a, b).contains(firstAfterBack);
      });
      Duration recoveredAfter = Duration.ofNanos(System.nanoTime() - openedAt);
      awaitAll("every message delivered or reported", ledger, streams, Duration.ofSeconds(15), ledger::allAccountedFor);

      ledger.assertStream(b, a, false);
      ledger.assertStream(a, b, false);
      assertThat(ledger.received(b, a).size() + ledger.errors(b, a)).as("B to A: delivered + reported, of %d sent",
          ledger.sent(b, a)).isEqualTo(ledger.sent(b, a));
      assertThat(ledger.received(a, b).size() + ledger.errors(a, b)).as("A to B: delivered + reported, of %d sent",
          ledger.sent(a, b)).isEqualTo(ledger.sent(a, b));
      assertThat(nodeB.metric("signalmesh_mesh_given_up_total")).as("given up, counted by B")
          .isGreaterThanOrEqualTo(ledger.errors(b, a));
      ledger.assertStream(c, a, true);
      ledger.assertStream(a, c, true);
      assertThat(ledger.errors(b, a)).as("reported lost from B to A").isPositive();
      for (TestClient client : List.of(a, b, c)) {
        assertThat(ledger.othersOf(client)).as("what else %s got", client.id())
            .noneMatch(m -> List.of("participant-left", "peer-disconnected").contains(m.getString("type")));
      }
      a.relay("offer", b.id(), new JsonObject().put("sdp", "after"));
      assertThat(b.expect("offer").getString("sdp")).isEqualTo("after");
      System.out.printf("event bus blocked: first loss reported %d ms after the message was sent, traffic back %d ms "
          + "after the path opened; B->A %s; A->B %s%n", reportedAfter.toMillis(), recoveredAfter.toMillis(),
          ledger.summary(b, a), ledger.summary(a, b));
    }
  }

  private static void awaitAll(String what, RelayLedger ledger, List<TestClient[]> streams, Duration timeout,
      java.util.function.BiPredicate<TestClient, TestClient> done) {
    Wait.until(what, timeout, () -> {
      ledger.collect();
      return streams.stream().allMatch(s -> done.test(s[0], s[1]));
    });
  }
}
