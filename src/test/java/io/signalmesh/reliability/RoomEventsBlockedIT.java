package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.signalmesh.testsupport.netns.NamespacedMesh;
import io.signalmesh.testsupport.netns.NamespacedNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Room events across a blocked event-bus path (docs/reliability.md, Event-bus port blocked): a
 * join and a leave on node B while its event-bus path to node A is blocked longer than the
 * give-up time. Once the path opens, A's clients are told and A's view of the room equals B's:
 * the joiner is listed and reachable, the leaver is gone.
 */
@Timeout(150)
class RoomEventsBlockedIT {

  private static final String ROOM = "blocked-views";
  /** Given up after 8 s, sent again at once and then every give-up period until the path is open; the test allows more. */
  private static final Duration CONVERGED_BOUND = Duration.ofSeconds(25);

  @AutoClose
  private NamespacedMesh mesh;

  @Test
  void roomEventsGivenUpAcrossABlockedPathReachTheOtherNodeOnceItOpens() {
    mesh = NamespacedMesh.start("evviews", 3);
    NamespacedNode nodeA = mesh.node(0);
    NamespacedNode nodeB = mesh.node(1);
    try (TestClient a = nodeA.connect(); TestClient leaver = nodeB.connect(); TestClient joiner = nodeB.connect()) {
      a.join(ROOM);
      leaver.join(ROOM);
      a.expect("participant-joined", m -> leaver.id().equals(m.getString("participantId")));
      Wait.until("every node to have its frames confirmed", Duration.ofSeconds(10), () ->
          mesh.nodes().stream().allMatch(n -> n.metric("signalmesh_mesh_unconfirmed") == 0));

      mesh.network().nft(nodeA.host(), NamespacedNode.eventBusBlockRules(nodeB.host().backAddress()));
      joiner.join(ROOM);
      leaver.send(new JsonObject().put("type", "leave-room").put("roomId", ROOM));
      joiner.expect("participant-left", m -> leaver.id().equals(m.getString("participantId")));
      Wait.until("node B to give the room events up", Duration.ofSeconds(20),
          () -> nodeB.logText().contains("were given up"));
      a.sync();
      a.assertNone("participant-joined");
      a.assertNone("participant-left");
      mesh.network().flushNft(nodeA.host());

      JsonObject joined = a.expectWithin("participant-joined", CONVERGED_BOUND);
      assertThat(joined.getString("participantId")).isEqualTo(joiner.id());
      JsonObject left = a.expectWithin("participant-left", CONVERGED_BOUND);
      assertThat(left.getString("participantId")).isEqualTo(leaver.id());
      a.send(new JsonObject().put("type", "get-peers"));
      assertThat(a.expect("peers-list").getJsonArray("peers").getList()).containsExactly(joiner.id());
      a.relay("offer", joiner.id(), new JsonObject().put("sdp", "reachable"));
      assertThat(joiner.expect("offer").getString("sdp")).isEqualTo("reachable");
      a.sync();
      a.assertNone("error");
      a.assertNone("participant-joined");
      a.assertNone("participant-left");
    }
  }
}
