package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Clients on different nodes of a real mesh (separate JVMs, Hazelcast, Redis) reach each other as on one node. */
@Timeout(60)
class ClusterRelayIT {

  @AutoClose
  private static MeshCluster mesh;

  @BeforeAll
  static void startMesh() {
    mesh = MeshCluster.start("relay", 2);
  }

  @Test
  void joinerOnAnotherNodeSeesTheParticipantsAndIsAnnounced() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("x-join", "Ada");
      JsonObject reply = bob.join("x-join", "Bob");
      assertThat(reply.getJsonArray("participants").getList()).containsExactly(ada.id());
      assertThat(reply.getJsonObject("profiles").getJsonObject(ada.id()).getString("name")).isEqualTo("Ada");
      JsonObject joined = ada.expect("participant-joined");
      assertThat(joined.getString("participantId")).isEqualTo(bob.id());
      assertThat(joined.getString("name")).isEqualTo("Bob");
    }
  }

  @Test
  void everyRelayTypeCrossesNodesWithSenderIdSet() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("x-relay");
      bob.join("x-relay");
      ada.expect("participant-joined");
      for (String type : List.of("offer", "answer", "ice-candidate", "end-call")) {
        ada.relay(type, bob.id(), new JsonObject().put("sdp", "v=0 " + type).put("senderId", "spoofed"));
        JsonObject got = bob.expect(type);
        assertThat(got.getString("senderId")).isEqualTo(ada.id());
        assertThat(got.getString("sdp")).isEqualTo("v=0 " + type);
        assertThat(got.containsKey("targetId")).isFalse();
      }
    }
  }

  /**
   * Valid JSON that a decode and re-encode of the text, or a parse, could alter: escapes,
   * number forms, non-ASCII text of two, three and four bytes.
   */
  private static String unusualOffer(String targetId) {
    return "{\"type\":\"offer\",\"targetId\":\"" + targetId + "\",\"sdp\":\"v=0\\r\\na=\\u00e9 \\\"q\\\" \\/ é€😀\","
        + "\"n\":1.0e+2,\"z\":-0,\"big\":123456789012345678901234567890}";
  }

  @Test
  void aRelayReachesAPeerOnAnotherNodeByteForByteAsItReachesOneOnTheSameNode() {
    try (TestClient ada = mesh.node(0).connect(); RawWebSocket bob = RawWebSocket.connect(mesh.node(1).port(), "/ws");
        RawWebSocket cyd = RawWebSocket.connect(mesh.node(0).port(), "/ws")) {
      ada.join("x-bytes");
      String bobId = joinRaw(bob, "x-bytes");
      String cydId = joinRaw(cyd, "x-bytes");
      ada.expect("participant-joined", m -> bobId.equals(m.getString("participantId")));
      ada.expect("participant-joined", m -> cydId.equals(m.getString("participantId")));

      ada.sendText(unusualOffer(bobId));
      ada.sendText(unusualOffer(cydId));

      byte[] acrossNodes = nextOffer(bob);
      byte[] sameNode = nextOffer(cyd);
      assertThat(new String(acrossNodes, StandardCharsets.UTF_8))
          .contains("\"sdp\":\"v=0\\r\\na=\\u00e9 \\\"q\\\" \\/ é€😀\",\"n\":1.0e+2,\"z\":-0,\"big\":123456789012345678901234567890");
      assertThat(acrossNodes).isEqualTo(sameNode);
    }
  }

  private static String joinRaw(RawWebSocket client, String room) {
    String id = client.expect("connected").getString("clientId");
    client.sendText(new JsonObject().put("type", "join-room").put("roomId", room));
    client.expect("room-participants");
    return id;
  }

  /** The payload of the next text frame that is an offer, as it came off the wire. */
  private static byte[] nextOffer(RawWebSocket client) {
    while (true) {
      RawWebSocket.Frame frame = client.readFrame();
      assertThat(frame.opcode()).as("a text frame").isEqualTo(RawWebSocket.OP_TEXT);
      if ("offer".equals(new JsonObject(frame.text()).getString("type"))) {
        return frame.payload();
      }
    }
  }

  @Test
  void broadcastAndGetPeersSpanNodes() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect();
        TestClient cyd = mesh.node(1).connect()) {
      ada.join("x-broadcast");
      bob.join("x-broadcast");
      cyd.join("x-broadcast");
      // as a real client does: it learns of the others from participant-joined, then talks to them
      ada.expect("participant-joined", m -> bob.id().equals(m.getString("participantId")));
      ada.expect("participant-joined", m -> cyd.id().equals(m.getString("participantId")));
      ada.send(new JsonObject().put("type", "broadcast").put("roomId", "x-broadcast").put("data", new JsonObject().put("hand", "up")));
      for (TestClient other : List.of(bob, cyd)) {
        JsonObject got = other.expect("broadcast");
        assertThat(got.getString("senderId")).isEqualTo(ada.id());
        assertThat(got.getJsonObject("data").getString("hand")).isEqualTo("up");
      }
      ada.send(new JsonObject().put("type", "get-peers"));
      assertThat(ada.expect("peers-list").getJsonArray("peers").getList()).containsExactlyInAnyOrder(bob.id(), cyd.id());
    }
  }

  @Test
  void messagesFromOneSenderToOneTargetKeepTheirOrderAcrossNodes() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("x-order");
      bob.join("x-order");
      ada.expect("participant-joined");
      int count = 150;
      for (int i = 0; i < count; i++) {
        ada.relay("ice-candidate", bob.id(), new JsonObject().put("seq", i));
      }
      for (int i = 0; i < count; i++) {
        assertThat(bob.expect("ice-candidate").getInteger("seq")).isEqualTo(i);
      }
    }
  }

  @Test
  void leavingAndDisconnectingAreAnnouncedAcrossNodes() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("x-leave");
      bob.join("x-leave");
      bob.closeNormally();
      ada.expect("peer-disconnected", m -> bob.id().equals(m.getString("clientId")));
      JsonObject left = ada.expect("participant-left");
      assertThat(left.getString("participantId")).isEqualTo(bob.id());
      assertThat(left.getString("reason")).isEqualTo("left");
    }
  }

  @Test
  void everyNodesAdminApiGivesTheSameAnswersAndActsOnMembersOfOtherNodes() throws Exception {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("x-admin", "Ada");
      bob.join("x-admin", "Bob");
      JsonObject fromFirst = admin(0, "GET", "/admin/rooms/x-admin");
      JsonObject fromSecond = admin(1, "GET", "/admin/rooms/x-admin");
      assertThat(fromFirst).isEqualTo(fromSecond);
      assertThat(fromFirst.getJsonArray("participants").stream().map(p -> ((JsonObject) p).getString("state")))
          .containsOnly("connected");
      assertThat(admin(1, "GET", "/admin/nodes").getJsonArray("nodes").stream()
          .map(n -> ((JsonObject) n).getString("id")))
          .containsExactlyInAnyOrder(mesh.node(0).nodeId(), mesh.node(1).nodeId());
      admin(1, "DELETE", "/admin/rooms/x-admin/participants/" + ada.id());
      assertThat(ada.expect("room-closed").getString("reason")).isEqualTo("kicked");
      JsonObject left = bob.expect("participant-left");
      assertThat(left.getString("participantId")).isEqualTo(ada.id());
      assertThat(left.getString("reason")).isEqualTo("kicked");
    }
  }

  private JsonObject admin(int node, String method, String path) throws Exception {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + mesh.node(node).managementPort() + path))
            .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  @Test
  void noDeliveryToAPeerOnAnotherNodeOutsideTheSharedRooms() {
    try (TestClient ada = mesh.node(0).connect(); TestClient eve = mesh.node(1).connect()) {
      ada.join("x-private");
      eve.join("x-elsewhere");
      ada.relay("offer", eve.id(), new JsonObject().put("sdp", "nope"));
      ada.expectError("unknown-peer");
      eve.sync();
      eve.assertNone("offer");
    }
  }
}
