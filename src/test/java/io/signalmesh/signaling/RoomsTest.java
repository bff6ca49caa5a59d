package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Joining and leaving rooms on one node (protocol.md, Rooms). */
@Timeout(30)
class RoomsTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void joinerGetsTheOtherParticipantsWithTheirProfiles() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("profiles", "Ada");
      JsonObject reply = bob.join("profiles", "Bob");
      assertThat(reply.getJsonArray("participants").getList()).containsExactly(ada.id());
      assertThat(reply.getJsonObject("profiles").getJsonObject(ada.id()).getString("name")).isEqualTo("Ada");
    }
  }

  @Test
  void firstJoinerSeesAnEmptyRoom() {
    try (TestClient ada = node.connect()) {
      JsonObject reply = ada.join("empty-at-first");
      assertThat(reply.getJsonArray("participants")).isEmpty();
      assertThat(reply.getString("roomId")).isEqualTo("empty-at-first");
    }
  }

  @Test
  void othersAreToldWhoJoinedWithTheirName() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("announce");
      bob.join("announce", "Bob");
      JsonObject joined = ada.expect("participant-joined");
      assertThat(joined.getString("participantId")).isEqualTo(bob.id());
      assertThat(joined.getString("name")).isEqualTo("Bob");
      assertThat(joined.getString("roomId")).isEqualTo("announce");
    }
  }

  @Test
  void leavingTellsTheOthersWithReasonLeft() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("leaving");
      bob.join("leaving");
      bob.send(new JsonObject().put("type", "leave-room").put("roomId", "leaving"));
      JsonObject left = ada.expect("participant-left");
      assertThat(left.getString("participantId")).isEqualTo(bob.id());
      assertThat(left.getString("reason")).isEqualTo("left");
    }
  }

  @Test
  void joiningTwiceIsIdempotent() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("twice");
      bob.join("twice");
      ada.expect("participant-joined");
      JsonObject again = bob.join("twice");
      assertThat(again.getJsonArray("participants").getList()).containsExactly(ada.id());
      ada.sync();
      ada.assertNone("participant-joined");
    }
  }
}
