package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.NodeProcess;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.signalmesh.testsupport.netns.RelayLedger;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node stopped with SIGSTOP (a long GC pause, a frozen VM) and resumed with SIGCONT. Shorter
 * than the failure detector's window (liveness TTL 5 s, Hazelcast max-no-heartbeat 5 s): nobody
 * is removed and nothing is lost. Longer: the mesh declares it dead; when it comes back it
 * notices, drops what it no longer owns, and rejoins without ever serving its stale rooms. In
 * between (Hazelcast dropped it, nobody declared it dead): what was sent to and from it is
 * delivered once and in order, or its sender told. Node A is the survivor, node C the one
 * paused. Each test starts its own mesh.
 */
@Timeout(120)
class PauseIT {

  @AutoClose
  private MeshCluster mesh;

  /** A test that failed while node 2 was stopped (SIGSTOP) leaves it stopped: it is resumed before the mesh is closed. */
  @AfterEach
  void resumePausedNode() {
    if (mesh != null) {
      ProcessSignals.resume(mesh.node(1).pid());
    }
  }

  @Test
  void aPauseShorterThanTheFailureDetectorRemovesNobodyAndLosesNothing() {
    mesh = MeshCluster.start("short", 2, "--resume-grace", "3");
    NodeProcess paused = mesh.node(1);
    try (TestClient alice = mesh.node(0).connect(); TestClient bob = paused.connect()) {
      alice.join("s-room");
      bob.join("s-room");
      alice.expect("participant-joined");

      ProcessSignals.stop(paused.pid());
      for (int i = 0; i < 10; i++) {
        alice.relay("ice-candidate", bob.id(), new JsonObject().put("seq", i));
      }
      bob.relay("answer", alice.id(), new JsonObject().put("sdp", "sent during the pause"));
      holdStopped(Duration.ofMillis(2500));
      ProcessSignals.resume(paused.pid());

      for (int i = 0; i < 10; i++) {
        assertThat(bob.expect("ice-candidate").getInteger("seq")).as("in order, once each").isEqualTo(i);
      }
      assertThat(alice.expect("answer").getString("sdp")).isEqualTo("sent during the pause");
      alice.relay("offer", bob.id(), new JsonObject().put("sdp", "after"));
      assertThat(bob.expect("offer").getString("sdp")).isEqualTo("after");
      bob.sync();
      bob.assertNone("ice-candidate");
      alice.sync();
      alice.assertNone("participant-left");
      alice.assertNone("peer-disconnected");
      assertThat(mesh.redis().command("HLEN", "signalmesh:room:{s-room}:members")).isEqualTo("2");
      assertThat(mesh.node(0).logText()).as("the survivor never declared it dead nor parked its frames")
          .doesNotContain("node stopped heartbeating").doesNotContain("parking its frames");
      assertThat(paused.logText()).doesNotContain("declared this node dead");
    }
  }

  @Test
  void aNodePausedPastTheReapingIsFencedAndRejoinsWithoutServingItsStaleRooms() {
    mesh = MeshCluster.start("long", 2, "--resume-grace", "3");
    NodeProcess survivor = mesh.node(0);
    NodeProcess paused = mesh.node(1);
    try (TestClient alice = survivor.connect(); TestClient bob = paused.connect();
        TestClient carol = paused.connect(); TestClient dave = survivor.connect()) {
      alice.join("a-room");
      bob.join("a-room");
      alice.expect("participant-joined");
      carol.join("c-room");
      dave.join("c-room");
      carol.expect("participant-joined");

      long stoppedAt = System.nanoTime();
      ProcessSignals.stop(paused.pid());
      // the survivor declares it dead (TTL 5 s + a check) and reaps it after the grace (3 s)
      JsonObject left = alice.expectWithin("participant-left", Duration.ofSeconds(15));
      assertThat(left.getString("participantId")).isEqualTo(bob.id());
      assertThat(left.getString("reason")).isEqualTo("node-failure");
      long reapedAfterMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
      dave.send(new JsonObject().put("type", "leave-room").put("roomId", "c-room"));
      dave.sync();
      carol.relay("offer", dave.id(), new JsonObject().put("sdp", "sent into the pause"));
      ProcessSignals.resume(paused.pid());
      long resumedAt = System.nanoTime();

      // it notices it was declared dead: its clients are told to reconnect and cut off
      assertThat(bob.expect("reconnect").getString("reason")).isEqualTo("rejoining");
      assertThat(bob.awaitClose()).isEqualTo(1012);
      assertThat(carol.expect("reconnect").getString("reason")).isEqualTo("rejoining");
      assertThat(carol.awaitClose()).isEqualTo(1012);
      long fencedAfterMillis = (System.nanoTime() - resumedAt) / 1_000_000;
      // nothing was served from its stale rooms: carol's relay to dave, who left, was never handled
      dave.sync();
      dave.assertNone("offer");

      // it rejoins: ready, in the one cluster, serving relays both ways
      AdminRest pausedAdmin = new AdminRest(paused.managementPort());
      Wait.until("the paused node to be ready again", Duration.ofSeconds(20), pausedAdmin::ready);
      long rejoinedAfterMillis = (System.nanoTime() - resumedAt) / 1_000_000;
      Wait.until("both nodes to see one cluster of two", Duration.ofSeconds(30),
          () -> members(survivor) == 2 && members(paused) == 2);
      System.out.println("[pause] reaped " + reapedAfterMillis + " ms after SIGSTOP; fenced " + fencedAfterMillis
          + " ms and ready " + rejoinedAfterMillis + " ms after SIGCONT");

      // its clients were reaped meanwhile: they come back as new sessions, and their rooms are as presence says
      try (TestClient carolAgain = paused.resume(carol.sessionToken())) {
        assertThat(carolAgain.connected().getBoolean("resumed")).as("reaped: a new session").isNull();
        JsonObject participants = carolAgain.join("c-room");
        assertThat(participants.getJsonArray("participants")).as("dave left while it was paused").isEmpty();
        carolAgain.relay("offer", dave.id(), new JsonObject().put("sdp", "to someone who left"));
        assertThat(carolAgain.expectError("unknown-peer").getString("ref")).isEqualTo("offer");

        alice.relay("offer", bob.id(), new JsonObject().put("sdp", "to the reaped bob"));
        assertThat(alice.expectError("unknown-peer").getString("ref")).as("a relay to a reaped member is refused")
            .isEqualTo("offer");

        carolAgain.join("a-room");
        alice.expect("participant-joined", m -> carolAgain.id().equals(m.getString("participantId")));
        alice.relay("offer", carolAgain.id(), new JsonObject().put("sdp", "across, after the rejoin"));
        assertThat(carolAgain.expectWithin("offer", Duration.ofSeconds(20)).getString("sdp"))
            .isEqualTo("across, after the rejoin");
        carolAgain.relay("answer", alice.id(), new JsonObject().put("sdp", "back"));
        assertThat(alice.expectWithin("answer", Duration.ofSeconds(20)).getString("sdp")).isEqualTo("back");
      }
      assertThat(mesh.redis().command("SISMEMBER", "signalmesh:nodes", paused.nodeId())).isEqualTo("1");
      assertThat(mesh.redis().command("EXISTS", "signalmesh:node:{" + paused.nodeId() + "}:dead")).isEqualTo("0");
    }
  }

  @Test
  void clientsOfANodePausedPastDetectionButNotReapingResumeElsewhereWithNothingLostAndNobodyLeaving() {
    mesh = MeshCluster.start("mid", 2, "--resume-grace", "10");
    NodeProcess survivor = mesh.node(0);
    NodeProcess paused = mesh.node(1);
    try (TestClient alice = survivor.connect(); TestClient bob = paused.connect()) {
      alice.join("m-room");
      bob.join("m-room");
      alice.expect("participant-joined");

      ProcessSignals.stop(paused.pid());
      for (int i = 0; i < 5; i++) {
        alice.relay("ice-candidate", bob.id(), new JsonObject().put("seq", i));
      }
      survivor.awaitLog("the survivor to declare the paused node dead", "node stopped heartbeating", Duration.ofSeconds(15));
      for (int i = 5; i < 10; i++) {
        alice.relay("ice-candidate", bob.id(), new JsonObject().put("seq", i));
      }
      ProcessSignals.resume(paused.pid());

      assertThat(bob.expect("reconnect").getString("reason")).isEqualTo("rejoining");
      assertThat(bob.awaitClose()).isEqualTo(1012);
      try (TestClient resumed = survivor.resume(bob.sessionToken())) {
        assertThat(resumed.connected().getBoolean("resumed")).as("declared dead, not reaped yet: resumed").isTrue();
        assertThat(resumed.id()).isEqualTo(bob.id());
        for (int i = 0; i < 10; i++) {
          assertThat(resumed.expectWithin("ice-candidate", Duration.ofSeconds(15)).getInteger("seq"))
              .as("what was sent during the pause, in order, once").isEqualTo(i);
        }
        resumed.sync();
        resumed.assertNone("ice-candidate");
        alice.relay("offer", resumed.id(), new JsonObject().put("sdp", "after"));
        assertThat(resumed.expect("offer").getString("sdp")).isEqualTo("after");
        survivor.awaitLog("the survivor to reap the paused node's earlier run", "reaped dead node", Duration.ofSeconds(30));
        alice.sync();
        alice.assertNone("participant-left");
        alice.assertNone("peer-disconnected");
      }
    }
  }

  /**
   * The window between the failure detectors: Hazelcast removes a member after 5 s without
   * heartbeats, the mesh declares it dead 4-6 s into a pause (its liveness key expired, and a
   * check saw it). A pause ending after the first and before the second leaves a node nobody
   * declared dead whose inbox the survivor found gone. What the survivor sent it meanwhile must
   * still be delivered once and in order, or its sender told.
   *
   * <p>Where the pause ends relative to the two detectors is chance; the test makes it certain:
   * while the node is stopped it renews the node's liveness key, as a heartbeat that happened to
   * land late would have, so the node is never declared dead however long Hazelcast takes to
   * remove it; the pause ends once the survivor's cluster has dropped the node and the survivor
   * has routed relays to it.
   */
  @Test
  void aPauseEndingAfterTheClusterDroppedTheNodeButBeforeItWasDeclaredDeadLosesNothing() {
    mesh = MeshCluster.start("window", 2, "--resume-grace", "10");
    NodeProcess survivor = mesh.node(0);
    NodeProcess paused = mesh.node(1);
    String alive = "signalmesh:node:{" + paused.nodeId() + "}:alive";
    ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    try (TestClient alice = survivor.connect(); TestClient bob = paused.connect()) {
      alice.join("w-room");
      bob.join("w-room");
      alice.expect("participant-joined");
      RelayLedger ledger = new RelayLedger(alice, bob);
      for (int i = 0; i < 3; i++) {
        ledger.send(alice, bob);
        ledger.send(bob, alice);
      }
      Wait.until("the relays before the pause", Duration.ofSeconds(10), () -> {
        ledger.collect();
        return ledger.allDelivered(alice, bob) && ledger.allDelivered(bob, alice);
      });

      ProcessSignals.stop(paused.pid());
      long stoppedAt = System.nanoTime();
      heartbeat.scheduleAtFixedRate(() -> renew(alive), 0, 500, TimeUnit.MILLISECONDS);
      Wait.until("the survivor's cluster to drop the paused node", Duration.ofSeconds(30), () -> {
        ledger.send(alice, bob);
        return clusterMembersSeenBy(survivor) == 1;
      });
      long droppedAfterMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
      int firstAfterDrop = ledger.send(alice, bob);
      for (int i = 0; i < 4; i++) {
        ledger.send(alice, bob);
      }
      // routed by the survivor (the pong comes after them) while its cluster has no inbox for bob
      alice.sync();
      heartbeat.shutdownNow();
      ProcessSignals.resume(paused.pid());

      for (int i = 0; i < 20; i++) {
        ledger.send(alice, bob);
        ledger.send(bob, alice);
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        ledger.collect();
      }
      Wait.until("every relay delivered or reported to its sender", Duration.ofSeconds(40), () -> {
        ledger.collect();
        return ledger.allAccountedFor(alice, bob) && ledger.allAccountedFor(bob, alice);
      });
      // once, in order, and every relay delivered or reported: an error may also name a relay that
      // was delivered when its acknowledgement could not come back within 8 s (the resumed node
      // reads a frame from its socket while its cluster view has no route back; docs/reliability.md,
      // Not covered), so delivered + reported can exceed what was sent, never fall short
      ledger.assertStream(alice, bob, false);
      ledger.assertStream(bob, alice, false);
      for (TestClient client : java.util.List.of(alice, bob)) {
        assertThat(ledger.othersOf(client)).as("what else %s got", client.id()).noneMatch(m -> java.util.List.of(
            "participant-left", "peer-disconnected", "reconnect").contains(m.getString("type")));
      }
      assertThat(paused.logText()).as("never declared dead").doesNotContain("declared this node dead");
      assertThat(mesh.redis().command("EXISTS", "signalmesh:node:{" + paused.nodeId() + "}:dead")).isEqualTo("0");

      Wait.until("both nodes to see one cluster of two", Duration.ofSeconds(30),
          () -> members(survivor) == 2 && members(paused) == 2);
      int last = ledger.send(alice, bob);
      int lastBack = ledger.send(bob, alice);
      Wait.until("relays both ways after the merge", Duration.ofSeconds(10), () -> {
        ledger.collect();
        return ledger.received(alice, bob).contains(last) && ledger.received(bob, alice).contains(lastBack);
      });
      System.out.printf("[pause] survivor's cluster dropped the node %d ms after SIGSTOP; alice->bob %s (sent from "
          + "#%d after the drop); bob->alice %s%n", droppedAfterMillis, ledger.summary(alice, bob), firstAfterDrop,
          ledger.summary(bob, alice));
    } finally {
      heartbeat.shutdownNow();
    }
  }

  /** As the node's heartbeat does (TTL 5 s); a failed attempt must not end the renewals (the next one follows). */
  private void renew(String aliveKey) {
    try {
      mesh.redis().command("SET", aliveKey, "1", "PX", "5000");
    } catch (RuntimeException e) {
      System.out.println("[pause] liveness key not renewed this time: " + e.getMessage());
    }
  }

  /** Members of the Hazelcast cluster as {@code node} itself sees it (0 if it does not answer). */
  private static int clusterMembersSeenBy(NodeProcess node) {
    java.util.Map<String, JsonObject> listed = MeshChecks.listedBy(node);
    JsonObject self = listed == null ? null : listed.get(node.nodeId());
    return self == null ? 0 : self.getInteger("clusterMembers", 0);
  }

  private static int members(NodeProcess node) {
    try {
      JsonObject nodes = new AdminRest(node.managementPort()).nodes();
      return nodes.getJsonArray("nodes").stream().map(JsonObject.class::cast)
          .filter(n -> n.getString("id").equals(node.nodeId())).findFirst()
          .map(n -> n.getInteger("clusterMembers", 0)).orElse(0);
    } catch (IllegalStateException e) {
      return 0;
    }
  }

  /** The fault itself: the process stays stopped this long (no condition to wait for, by design). */
  private static void holdStopped(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
