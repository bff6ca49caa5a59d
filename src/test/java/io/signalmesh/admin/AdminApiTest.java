package io.signalmesh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin REST API on one node, behind its bearer key. */
@Timeout(30)
class AdminApiTest {

  private static final String KEY = "an-admin-key-for-the-tests";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--admin-key", KEY);
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void callsWithoutTheKeyOrWithAWrongKeyAreRefused() {
    assertThat(call("GET", "/admin/rooms", null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/admin/rooms", "wrong-key").statusCode()).isEqualTo(401);
    assertThat(new JsonObject(call("GET", "/admin/nodes", "Bearer-less").body()).getString("error")).isEqualTo("unauthorized");
  }

  @Test
  void roomsAreListedWithTheirParticipantCountsAndNodes() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("adm-list-a");
      bob.join("adm-list-a");
      bob.join("adm-list-b");
      JsonArray rooms = json(call("GET", "/admin/rooms?limit=1000", KEY)).getJsonArray("rooms");
      JsonObject a = find(rooms, "adm-list-a");
      assertThat(a.getInteger("participants")).isEqualTo(2);
      assertThat(a.getJsonArray("nodes").getList()).containsExactly(node.nodeId());
      assertThat(find(rooms, "adm-list-b").getInteger("participants")).isEqualTo(1);
    }
  }

  @Test
  void roomsArePagedInIdOrder() {
    try (TestClient ada = node.connect()) {
      ada.join("adm-page-1");
      ada.join("adm-page-2");
      ada.join("adm-page-3");
      JsonObject first = json(call("GET", "/admin/rooms?after=adm-page-0&limit=2", KEY));
      assertThat(first.getJsonArray("rooms").stream().map(r -> ((JsonObject) r).getString("roomId")))
          .containsExactly("adm-page-1", "adm-page-2");
      JsonObject second = json(call("GET", "/admin/rooms?after=" + first.getString("next") + "&limit=2", KEY));
      assertThat(((JsonObject) second.getJsonArray("rooms").getValue(0)).getString("roomId")).isEqualTo("adm-page-3");
      assertThat(call("GET", "/admin/rooms?limit=0", KEY).statusCode()).isEqualTo(400);
    }
  }

  @Test
  void aRoomShowsEachParticipantWithNameNodeJoinTimeAndState() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("adm-detail", "Ada");
      bob.join("adm-detail", "Bob");
      bob.dropConnection();
      JsonObject room = json(call("GET", "/admin/rooms/adm-detail", KEY));
      JsonObject adaRow = findParticipant(room, ada.id());
      assertThat(adaRow.getString("name")).isEqualTo("Ada");
      assertThat(adaRow.getString("node")).isEqualTo(node.nodeId());
      assertThat(adaRow.getString("joinedAt")).isNotBlank();
      assertThat(adaRow.getString("state")).isEqualTo("connected");
      io.signalmesh.testsupport.Wait.until("bob to be waiting for a resume", Duration.ofSeconds(10),
          () -> "resuming".equals(findParticipant(json(call("GET", "/admin/rooms/adm-detail", KEY)), bob.id()).getString("state")));
    }
  }

  @Test
  void anUnknownRoomIsNotFound() {
    assertThat(call("GET", "/admin/rooms/no-such-room", KEY).statusCode()).isEqualTo(404);
    assertThat(call("DELETE", "/admin/rooms/no-such-room", KEY).statusCode()).isEqualTo(404);
  }

  @Test
  void closingARoomTellsEveryMemberAndEmptiesIt() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("adm-close");
      bob.join("adm-close");
      assertThat(json(call("DELETE", "/admin/rooms/adm-close", KEY)).getInteger("removed")).isEqualTo(2);
      for (TestClient member : new TestClient[] {ada, bob}) {
        JsonObject closed = member.expect("room-closed");
        assertThat(closed.getString("roomId")).isEqualTo("adm-close");
        assertThat(closed.getString("reason")).isEqualTo("admin");
      }
      assertThat(call("GET", "/admin/rooms/adm-close", KEY).statusCode()).isEqualTo(404);
      ada.send(new JsonObject().put("type", "broadcast").put("roomId", "adm-close").put("data", new JsonObject()));
      ada.expectError("not-in-room");
    }
  }

  @Test
  void kickingAParticipantTellsTheOthersWithReasonKicked() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("adm-kick");
      bob.join("adm-kick");
      assertThat(call("DELETE", "/admin/rooms/adm-kick/participants/" + bob.id(), KEY).statusCode()).isEqualTo(200);
      JsonObject left = ada.expect("participant-left");
      assertThat(left.getString("participantId")).isEqualTo(bob.id());
      assertThat(left.getString("reason")).isEqualTo("kicked");
      assertThat(bob.expect("room-closed").getString("reason")).isEqualTo("kicked");
      assertThat(call("DELETE", "/admin/rooms/adm-kick/participants/" + bob.id(), KEY).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void nodesAreListedWithConnectionsAndVersion() {
    try (TestClient ada = node.connect()) {
      ada.join("adm-nodes");
      JsonObject self = (JsonObject) json(call("GET", "/admin/nodes", KEY)).getJsonArray("nodes").getValue(0);
      assertThat(self.getString("id")).isEqualTo(node.nodeId());
      assertThat(self.getBoolean("reachable")).isTrue();
      assertThat(self.getInteger("connections")).isGreaterThanOrEqualTo(1);
      assertThat(self.getBoolean("draining")).isFalse();
      assertThat(self.getString("version")).isNotBlank();
    }
  }

  @Test
  void drainingANodeTellsItsClientsToReconnectAndTurnsReadinessRed() throws Exception {
    try (TestNode drained = TestNode.start("--admin-key", KEY); TestClient ada = drained.connect()) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + drained.managementPort()
              + "/admin/nodes/" + drained.nodeId() + "/drain"))
          .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.noBody()).build();
      assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
      assertThat(ada.expect("reconnect").getString("reason")).isEqualTo("draining");
      assertThat(ada.awaitClose()).isEqualTo(1012);
      HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + drained.managementPort() + "/health/ready")).build();
      assertThat(HTTP.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
    }
  }

  @Test
  void theOpenApiDocumentIsServed() {
    HttpResponse<String> response = call("GET", "/admin/openapi.yaml", KEY);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("openapi: 3").contains("/admin/rooms/{roomId}/participants/{clientId}");
  }

  private static JsonObject find(JsonArray rooms, String id) {
    return rooms.stream().map(JsonObject.class::cast).filter(r -> id.equals(r.getString("roomId"))).findFirst().orElseThrow();
  }

  private static JsonObject findParticipant(JsonObject room, String id) {
    return room.getJsonArray("participants").stream().map(JsonObject.class::cast)
        .filter(p -> id.equals(p.getString("id"))).findFirst().orElseThrow();
  }

  private static JsonObject json(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return new JsonObject(response.body());
  }

  static HttpResponse<String> call(String method, String path, String key) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
