package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node killed with SIGKILL: its clients resume on the others within the grace, and those
 * that do not are reaped with reason node-failure. Each test starts its own mesh, since it
 * kills part of it.
 */
@Timeout(120)
class NodeFailureIT {

  /** Resume grace of these meshes. */
  private static final int GRACE_SECONDS = 3;
  /** Documented bound (docs/cluster.md): liveness TTL 5 s + a heartbeat check 1 s + the grace + reaping. */
  private static final Duration REAP_BOUND = Duration.ofSeconds(5 + 1 + GRACE_SECONDS + 5);

  /** Documented failure detection bound (docs/cluster.md). */
  private static final Duration DETECTION_BOUND = Duration.ofSeconds(10);

  @AutoClose
  private MeshCluster mesh;

  @Test
  void peersOfAKilledNodesClientGetParticipantLeftWithNodeFailure() {
    mesh = MeshCluster.start("fail", 2, "--resume-grace", Integer.toString(GRACE_SECONDS));
    try (TestClient survivor = mesh.node(0).connect(); TestClient doomed = mesh.node(1).connect()) {
      survivor.join("f-room");
      doomed.join("f-room");
      survivor.expect("participant-joined");
      long killedAt = System.nanoTime();
      mesh.node(1).kill();
      mesh.node(0).awaitLog("the survivor to notice the dead node (documented: within 10 s)", "node stopped heartbeating", DETECTION_BOUND);
      JsonObject disconnected = survivor.expectWithin("peer-disconnected", REAP_BOUND);
      assertThat(disconnected.getString("clientId")).isEqualTo(doomed.id());
      JsonObject left = survivor.expectWithin("participant-left", Duration.ofSeconds(5));
      assertThat(left.getString("participantId")).isEqualTo(doomed.id());
      assertThat(left.getString("reason")).isEqualTo("node-failure");
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(GRACE_SECONDS));
      String room = "signalmesh:room:{f-room}:members";
      assertThat(mesh.redis().command("HEXISTS", room, doomed.id())).isEqualTo("0");
      assertThat(mesh.redis().command("HEXISTS", room, survivor.id())).isEqualTo("1");
    }
  }

  @Test
  void aClientOfAKilledNodeResumesOnAnotherWithItsIdRoomsAndGapMessages() {
    mesh = MeshCluster.start("resume", 2, "--resume-grace", "15");
    try (TestClient peer = mesh.node(0).connect(); TestClient mover = mesh.node(1).connect()) {
      peer.join("r-room");
      mover.join("r-room");
      peer.expect("participant-joined");
      mesh.node(1).kill();
      mover.awaitClose();
      for (int i = 0; i < 5; i++) {
        peer.relay("ice-candidate", mover.id(), new JsonObject().put("seq", i));
      }
      try (TestClient resumed = mesh.node(0).resume(mover.sessionToken())) {
        assertThat(resumed.connected().getBoolean("resumed")).isTrue();
        assertThat(resumed.id()).isEqualTo(mover.id());
        for (int i = 0; i < 5; i++) {
          assertThat(resumed.expect("ice-candidate").getInteger("seq")).isEqualTo(i);
        }
        peer.relay("offer", resumed.id(), new JsonObject().put("sdp", "after"));
        assertThat(resumed.expect("offer").getString("sdp")).isEqualTo("after");
        resumed.relay("answer", peer.id(), new JsonObject().put("sdp", "back"));
        assertThat(peer.expect("answer").getString("senderId")).isEqualTo(mover.id());
        peer.sync();
        peer.assertNone("participant-left");
        peer.assertNone("participant-joined");
        peer.assertNone("peer-disconnected");
      }
    }
  }

  @Test
  void reapingADeadNodeNeverRemovesAClientThatResumedOnALiveNode() {
    mesh = MeshCluster.start("keep", 2, "--resume-grace", Integer.toString(GRACE_SECONDS));
    try (TestClient peer = mesh.node(0).connect(); TestClient mover = mesh.node(1).connect();
        TestClient doomed = mesh.node(1).connect()) {
      peer.join("k-room");
      mover.join("k-room");
      doomed.join("k-room");
      peer.expect("participant-joined", m -> mover.id().equals(m.getString("participantId")));
      peer.expect("participant-joined", m -> doomed.id().equals(m.getString("participantId")));
      mesh.node(1).kill();
      try (TestClient resumed = mesh.node(0).resume(mover.sessionToken())) {
        assertThat(resumed.connected().getBoolean("resumed")).isTrue();
        JsonObject left = peer.expectWithin("participant-left", REAP_BOUND);
        assertThat(left.getString("participantId")).isEqualTo(doomed.id());
        assertThat(left.getString("reason")).isEqualTo("node-failure");
        mesh.node(0).awaitLog("the reaping to finish", "reaped dead node", Duration.ofSeconds(10));
        peer.sync();
        peer.assertNone("participant-left");
        String stored = mesh.redis().command("HGET", "signalmesh:room:{k-room}:members", mover.id());
        assertThat(stored).contains("\"node\":\"" + mesh.node(0).nodeId() + "\"");
        peer.relay("offer", resumed.id(), new JsonObject().put("sdp", "still here"));
        assertThat(resumed.expect("offer").getString("sdp")).isEqualTo("still here");
      }
    }
  }

  /**
   * Every heartbeat key runs out while Redis is away, so the survivor must not judge before its
   * own heartbeats have been answered for a TTL (LivenessJudge); the node that really died is
   * still reaped then. Three nodes: with two, the survivor would see half of its cluster gone
   * and Redis away, a cut (ClusterIsolation), and give its own clients up.
   */
  @Test
  void aNodeKilledDuringARedisOutageLongerThanTheTtlIsReapedOnceRedisIsBack() {
    mesh = MeshCluster.start("outage", 3, "--resume-grace", Integer.toString(GRACE_SECONDS), "--redis-timeout", "500ms");
    try (TestClient survivor = mesh.node(0).connect(); TestClient doomed = mesh.node(1).connect()) {
      survivor.join("o-room");
      doomed.join("o-room");
      survivor.expect("participant-joined");
      mesh.redis().outage(NodeLiveness.TTL.plusSeconds(2), () -> mesh.node(1).kill());
      long backAt = System.nanoTime();
      JsonObject left = survivor.expectWithin("participant-left", REAP_BOUND.plus(NodeLiveness.TTL));
      assertThat(left.getString("participantId")).isEqualTo(doomed.id());
      assertThat(left.getString("reason")).isEqualTo("node-failure");
      assertThat(Duration.ofNanos(System.nanoTime() - backAt)).as("the survivor judged before a TTL of its own heartbeats")
          .isGreaterThanOrEqualTo(NodeLiveness.TTL.plusSeconds(GRACE_SECONDS));
      assertThat(mesh.redis().command("HEXISTS", "signalmesh:room:{o-room}:members", doomed.id())).isEqualTo("0");
      survivor.assertNone("reconnect");
      assertThat(mesh.node(0).fencedItself()).isFalse();
    }
  }

  @Test
  void aClientThatDroppedResumesOnAnotherLiveNodeWhichTakesItsSessionOver() {
    mesh = MeshCluster.start("handover", 2, "--resume-grace", "15");
    try (TestClient peer = mesh.node(0).connect(); TestClient mover = mesh.node(1).connect()) {
      peer.join("h-room");
      mover.join("h-room");
      peer.expect("participant-joined");
      mover.dropConnection();
      mesh.node(1).awaitLog("node 2 to notice the dropped connection", "connection lost, waiting for resume", Duration.ofSeconds(10));
      peer.relay("offer", mover.id(), new JsonObject().put("sdp", "queued"));
      try (TestClient resumed = mesh.node(0).resume(mover.sessionToken())) {
        assertThat(resumed.connected().getBoolean("resumed")).isTrue();
        assertThat(resumed.id()).isEqualTo(mover.id());
        assertThat(resumed.expect("offer").getString("sdp")).isEqualTo("queued");
        peer.relay("answer", resumed.id(), new JsonObject().put("sdp", "live"));
        assertThat(resumed.expect("answer").getString("sdp")).isEqualTo("live");
        peer.sync();
        peer.assertNone("participant-left");
      }
    }
  }
}
