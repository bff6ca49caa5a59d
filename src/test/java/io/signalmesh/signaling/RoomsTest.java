package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Joining and leaving rooms on one node (protocol.md, Rooms). */
@Timeout(30)
class RoomsTest {

  @AutoClose
  private static final TestNode node = TestNode.start();

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

  @Test
  void metadataIsInTheProfilesAndInTheJoinAnnouncement() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      JsonObject adaMeta = new JsonObject().put("avatar", "a.png").put("hand", false);
      ada.send(new JsonObject().put("type", "join-room").put("roomId", "meta").put("name", "Ada").put("metadata", adaMeta));
      ada.expect("room-participants");
      JsonObject bobMeta = new JsonObject().put("role", "speaker");
      bob.send(new JsonObject().put("type", "join-room").put("roomId", "meta").put("name", "Bob").put("metadata", bobMeta));
      JsonObject reply = bob.expect("room-participants");
      JsonObject adaProfile = reply.getJsonObject("profiles").getJsonObject(ada.id());
      assertThat(adaProfile.getString("name")).isEqualTo("Ada");
      assertThat(adaProfile.getJsonObject("metadata")).isEqualTo(adaMeta);
      JsonObject joined = ada.expect("participant-joined");
      assertThat(joined).isEqualTo(new JsonObject().put("type", "participant-joined").put("roomId", "meta")
          .put("participantId", bob.id()).put("name", "Bob").put("metadata", bobMeta));
    }
  }

  @Test
  void aClientInSeveralRoomsIsAnnouncedInEachWithItsRoomId() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("multi-1");
      ada.join("multi-2");
      bob.join("multi-1");
      bob.join("multi-2");
      assertThat(ada.expect("participant-joined", m -> "multi-1".equals(m.getString("roomId"))).getString("participantId"))
          .isEqualTo(bob.id());
      assertThat(ada.expect("participant-joined", m -> "multi-2".equals(m.getString("roomId"))).getString("participantId"))
          .isEqualTo(bob.id());
      bob.send(new JsonObject().put("type", "leave-room").put("roomId", "multi-1"));
      assertThat(ada.expect("participant-left").getString("roomId")).isEqualTo("multi-1");
      ada.send(new JsonObject().put("type", "broadcast").put("roomId", "multi-2").put("data", new JsonObject()));
      assertThat(bob.expect("broadcast").getString("roomId")).isEqualTo("multi-2");
    }
  }

  @Test
  void leavingIsFinalAtOnceTheLeaverGetsNothingMoreFromTheRoom() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("final");
      bob.join("final");
      bob.send(new JsonObject().put("type", "leave-room").put("roomId", "final"));
      assertThat(ada.expect("participant-left")).isEqualTo(new JsonObject().put("type", "participant-left")
          .put("roomId", "final").put("participantId", bob.id()).put("reason", "left"));
      ada.send(new JsonObject().put("type", "broadcast").put("roomId", "final").put("data", new JsonObject()));
      ada.send(new JsonObject().put("type", "get-peers"));
      assertThat(ada.expect("peers-list").getJsonArray("peers")).isEmpty();
      bob.sync();
      bob.assertNone("broadcast");
      bob.assertNone("participant-left");
      ada.assertNone("peer-disconnected");
    }
  }

  @Test
  void aLeftParticipantCanJoinAgainAndIsAnnouncedAgain() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("again");
      bob.join("again");
      ada.expect("participant-joined");
      bob.send(new JsonObject().put("type", "leave-room").put("roomId", "again"));
      ada.expect("participant-left");
      assertThat(bob.join("again").getJsonArray("participants").getList()).containsExactly(ada.id());
      assertThat(ada.expect("participant-joined").getString("participantId")).isEqualTo(bob.id());
    }
  }
}
