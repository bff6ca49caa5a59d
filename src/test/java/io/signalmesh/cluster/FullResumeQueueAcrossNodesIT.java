package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client away with a full resume queue (`--resume-inbox`), seen from a sender on another node:
 * the sender learns which of its messages did not make it (an `unavailable` error naming the
 * target), whether the queue is kept by the target's live node or parked in Redis after that
 * node died; what was kept arrives on resume, in order. Each test starts its own mesh.
 */
@Timeout(120)
class FullResumeQueueAcrossNodesIT {

  private static final int QUEUE = 3;
  @AutoClose
  private MeshCluster mesh;

  @Test
  void aSenderOnAnotherNodeIsToldWhenItsAwayTargetsQueueIsFull() {
    mesh = MeshCluster.start("fullq", 2, "--resume-grace", "60", "--resume-inbox", Integer.toString(QUEUE));
    try (TestClient peer = mesh.node(0).connect(); TestClient away = mesh.node(1).connect()) {
      peer.join("fq-room");
      away.join("fq-room");
      peer.expect("participant-joined");
      away.dropConnection();
      mesh.node(1).awaitLog("node 2 to notice the dropped connection", "connection lost, waiting for resume", Duration.ofSeconds(10));
      for (int i = 0; i <= QUEUE; i++) {
        peer.relay("ice-candidate", away.id(), new JsonObject().put("seq", i));
      }
      JsonObject error = peer.expectError("unavailable");
      assertThat(error.getString("targetId")).isEqualTo(away.id());
      assertThat(error.getString("ref")).isEqualTo("ice-candidate");
      try (TestClient resumed = mesh.node(1).resume(away.sessionToken())) {
        assertThat(resumed.connected().getBoolean("resumed")).isTrue();
        assertThat(seqs(resumed, QUEUE)).containsExactly(0, 1, 2);
      }
      peer.sync();
      peer.assertNone("error");
    }
  }

  @Test
  void aSenderIsToldWhenTheQueueParkedForADeadNodesClientIsFull() {
    mesh = MeshCluster.start("fullp", 2, "--resume-grace", "30", "--resume-inbox", Integer.toString(QUEUE));
    try (TestClient peer = mesh.node(0).connect(); TestClient away = mesh.node(1).connect()) {
      peer.join("fp-room");
      away.join("fp-room");
      peer.expect("participant-joined");
      mesh.node(1).kill();
      away.awaitClose();
      for (int i = 0; i <= QUEUE; i++) {
        peer.relay("ice-candidate", away.id(), new JsonObject().put("seq", i));
      }
      // parked once the dead node is known dead (refused connection, or declared: about 5-6 s)
      JsonObject error = peer.expectWithin("error", m -> "unavailable".equals(m.getString("code")), Duration.ofSeconds(20));
      assertThat(error.getString("targetId")).isEqualTo(away.id());
      assertThat(error.getString("ref")).isEqualTo("ice-candidate");
      try (TestClient resumed = mesh.node(0).resume(away.sessionToken())) {
        assertThat(resumed.connected().getBoolean("resumed")).isTrue();
        assertThat(seqs(resumed, QUEUE)).containsExactly(0, 1, 2);
      }
      peer.sync();
      peer.assertNone("error");
    }
  }

  private static List<Integer> seqs(TestClient client, int count) {
    List<Integer> seqs = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      seqs.add(client.expectWithin("ice-candidate", Duration.ofSeconds(15)).getInteger("seq"));
    }
    client.sync();
    client.assertNone("ice-candidate");
    return seqs;
  }
}
