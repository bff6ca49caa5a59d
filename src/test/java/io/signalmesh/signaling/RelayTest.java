package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Peer-to-peer relay, broadcast and get-peers on one node (protocol.md, Relay). */
@Timeout(30)
class RelayTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    // a generous rate limit: the order test sends a long burst
    node = TestNode.start("--rate-limit", "2000", "--rate-burst", "2000");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"offer", "answer", "ice-candidate", "end-call"})
  void relayReachesTheTargetWithPayloadUnchangedTargetIdDroppedAndSenderIdSet(String type) {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("relay-" + type);
      bob.join("relay-" + type);
      JsonObject payload = new JsonObject()
          .put("sdp", "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n")
          .put("candidate", new JsonObject().put("candidate", "candidate:1 1 udp 2122260223 10.0.0.1 54321 typ host")
              .put("sdpMid", "0").put("sdpMLineIndex", 0))
          .put("callId", 42)
          .put("nested", new JsonObject().put("list", new JsonArray().add(1).add("two").addNull()))
          .putNull("explicitNull");
      ada.relay(type, bob.id(), payload);
      JsonObject received = bob.expect(type);
      JsonObject expected = payload.copy().put("type", type).put("senderId", ada.id());
      assertThat(received).isEqualTo(expected);
      assertThat(received.containsKey("targetId")).isFalse();
    }
  }

  @Test
  void senderIdSentByAClientIsOverwrittenWithItsOwnId() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect(); TestClient eve = node.connect()) {
      ada.join("spoof");
      bob.join("spoof");
      eve.join("spoof");
      eve.relay("offer", bob.id(), new JsonObject().put("sdp", "x").put("senderId", ada.id()));
      assertThat(bob.expect("offer").getString("senderId")).isEqualTo(eve.id());
      eve.send(new JsonObject().put("type", "broadcast").put("roomId", "spoof").put("senderId", ada.id())
          .put("data", new JsonObject().put("text", "hi")));
      assertThat(bob.expect("broadcast").getString("senderId")).isEqualTo(eve.id());
    }
  }

  @Test
  void relayToAPeerOutsideTheSharedRoomsGetsUnknownPeerAndDeliversNothing() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("outside-a");
      bob.join("outside-b");
      ada.relay("offer", bob.id(), new JsonObject().put("sdp", "x"));
      JsonObject error = ada.expectError("unknown-peer");
      assertThat(error.getString("ref")).isEqualTo("offer");
      bob.sync();
      bob.assertNone("offer");
    }
  }

  @Test
  void relayToAPeerInNoRoomAtAllGetsUnknownPeer() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.relay("ice-candidate", bob.id(), new JsonObject().put("candidate", "c"));
      ada.expectError("unknown-peer");
      bob.sync();
      bob.assertNone("ice-candidate");
    }
  }

  @Test
  void relayToAnIdThatDoesNotExistGetsUnknownPeer() {
    try (TestClient ada = node.connect()) {
      ada.join("nobody");
      ada.relay("offer", "AAAAAAAAAAAAAAAAAAAAAA", new JsonObject().put("sdp", "x"));
      ada.expectError("unknown-peer");
    }
  }

  @Test
  void relayToSelfGetsUnknownPeer() {
    try (TestClient ada = node.connect()) {
      ada.join("self");
      ada.relay("offer", ada.id(), new JsonObject().put("sdp", "x"));
      ada.expectError("unknown-peer");
      ada.sync();
      ada.assertNone("offer");
    }
  }

  @Test
  void relayAfterThePeerLeftTheSharedRoomGetsUnknownPeer() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("left-behind");
      bob.join("left-behind");
      bob.send(new JsonObject().put("type", "leave-room").put("roomId", "left-behind"));
      ada.expect("participant-left");
      ada.relay("offer", bob.id(), new JsonObject().put("sdp", "x"));
      ada.expectError("unknown-peer");
      bob.sync();
      bob.assertNone("offer");
    }
  }

  @Test
  void manyRelayedMessagesFromOneSenderToOneTargetArriveInTheOrderSent() {
    int count = 1000;
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("order");
      bob.join("order");
      for (int i = 0; i < count; i++) {
        ada.relay(i % 2 == 0 ? "ice-candidate" : "offer", bob.id(), new JsonObject().put("seq", i));
      }
      ada.sync();
      ada.assertNone("error");
      List<Integer> received = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        received.add(bob.expect(i % 2 == 0 ? "ice-candidate" : "offer").getInteger("seq"));
      }
      List<Integer> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sent.add(i);
      }
      assertThat(received).isEqualTo(sent);
    }
  }

  @Test
  void broadcastReachesEveryOtherParticipantOfTheRoomButNotTheSenderNorOtherRooms() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect(); TestClient cleo = node.connect();
        TestClient dan = node.connect()) {
      ada.join("bcast");
      bob.join("bcast");
      cleo.join("bcast");
      dan.join("bcast-other");
      JsonObject data = new JsonObject().put("kind", "chat").put("text", "hello").put("n", 1);
      ada.send(new JsonObject().put("type", "broadcast").put("roomId", "bcast").put("data", data));
      for (TestClient peer : List.of(bob, cleo)) {
        JsonObject received = peer.expect("broadcast");
        assertThat(received).isEqualTo(new JsonObject().put("type", "broadcast").put("roomId", "bcast")
            .put("senderId", ada.id()).put("data", data));
      }
      ada.sync();
      ada.assertNone("broadcast");
      dan.sync();
      dan.assertNone("broadcast");
    }
  }

  @Test
  void getPeersListsExactlyThePeersSharingARoomOnceEach() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect(); TestClient cleo = node.connect();
        TestClient dan = node.connect()) {
      ada.join("peers-1");
      ada.join("peers-2");
      bob.join("peers-1");
      bob.join("peers-2");
      cleo.join("peers-2");
      dan.join("peers-3");
      ada.send(new JsonObject().put("type", "get-peers"));
      JsonObject list = ada.expect("peers-list");
      assertThat(list.getJsonArray("peers").getList()).containsExactlyInAnyOrder(bob.id(), cleo.id());
      dan.send(new JsonObject().put("type", "get-peers"));
      assertThat(dan.expect("peers-list").getJsonArray("peers")).isEmpty();
    }
  }

  @Test
  void getPeersInNoRoomIsEmptyEvenWithOthersOnTheServer() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      bob.join("somewhere");
      ada.send(new JsonObject().put("type", "get-peers"));
      assertThat(ada.expect("peers-list").getJsonArray("peers")).isEmpty();
    }
  }

  @Test
  void pingGetsPong() {
    try (TestClient ada = node.connect()) {
      ada.send(new JsonObject().put("type", "ping"));
      assertThat(ada.expect("pong")).isEqualTo(new JsonObject().put("type", "pong"));
    }
  }
}
