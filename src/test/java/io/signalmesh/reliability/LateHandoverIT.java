package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client resumes on another node while its previous node is paused (a GC pause, shorter than
 * failure detection): the new node's handover request times out (2 s) and the previous node
 * answers it late, after it resumes. What the previous node had kept for the client still
 * reaches it, in order, once.
 */
@Timeout(120)
class LateHandoverIT {

  @AutoClose
  private MeshCluster mesh;

  @Test
  void framesKeptByAPreviousNodeThatAnswersTheHandoverLateStillReachTheResumedClient() {
    mesh = MeshCluster.start("late", 2, "--resume-grace", "30");
    try (TestClient peer = mesh.node(0).connect(); TestClient mover = mesh.node(1).connect()) {
      peer.join("lh-room");
      mover.join("lh-room");
      peer.expect("participant-joined");
      mover.dropConnection();
      mesh.node(1).awaitLog("node 2 to notice the dropped connection", "connection lost, waiting for resume", Duration.ofSeconds(10));
      for (int i = 0; i < 3; i++) {
        peer.relay("ice-candidate", mover.id(), new JsonObject().put("seq", i));
      }
      Wait.until("node 2 to confirm the relays (kept for the resume)", Duration.ofSeconds(10),
          () -> unconfirmedBy(0) == 0);
      ProcessSignals.stop(mesh.node(1).pid());
      TestClient resumed;
      try {
        // connected once the handover request has timed out (2 s) and the session is taken from the directory
        resumed = mesh.node(0).resume(mover.sessionToken());
      } finally {
        ProcessSignals.resume(mesh.node(1).pid());
      }
      try (resumed) {
        assertThat(resumed.connected().getBoolean("resumed")).isTrue();
        assertThat(mesh.node(0).logText()).contains("previous node did not hand over");
        for (int i = 0; i < 3; i++) {
          assertThat(resumed.expectWithin("ice-candidate", Duration.ofSeconds(15)).getInteger("seq")).isEqualTo(i);
        }
        peer.relay("offer", resumed.id(), new JsonObject().put("sdp", "after"));
        assertThat(resumed.expect("offer").getString("sdp")).isEqualTo("after");
        resumed.sync();
        resumed.assertNone("ice-candidate");
        peer.sync();
        peer.assertNone("error");
        peer.assertNone("participant-left");
      }
    }
  }

  private int unconfirmedBy(int node) {
    java.util.Map<String, JsonObject> listed = MeshChecks.listedBy(mesh.node(node));
    JsonObject self = listed == null ? null : listed.get(mesh.node(node).nodeId());
    return self == null ? -1 : self.getInteger("unconfirmedFrames", -1);
  }
}
