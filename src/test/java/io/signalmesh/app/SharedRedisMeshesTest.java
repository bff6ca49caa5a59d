package io.signalmesh.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RedisServer;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two meshes on one Redis database, each under its own {@code --redis-key-prefix}: an operator
 * of either sees only its own rooms and nodes, and a room of the same name in both is two rooms.
 */
@Timeout(60)
class SharedRedisMeshesTest {

  private static final String KEY = "an-admin-key-for-the-tests";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private RedisServer redis;
  private TestNode blue;
  private TestNode green;

  @BeforeEach
  void start() {
    redis = new RedisServer().start();
    blue = TestNode.start("--redis", redis.url(), "--redis-key-prefix", "blue:", "--admin-key", KEY, "--node-id", "blue-1");
    green = TestNode.start("--redis", redis.url(), "--redis-key-prefix", "green:", "--admin-key", KEY, "--node-id", "green-1");
  }

  @AfterEach
  void stop() {
    green.close();
    blue.close();
    redis.close();
  }

  @Test
  void eachMeshListsOnlyItsOwnRoomsAndNodesAndARoomNameIsTwoRooms() {
    try (TestClient ada = blue.connect(); TestClient bob = green.connect(); TestClient cyd = green.connect()) {
      ada.join("standup");
      bob.join("standup");
      cyd.join("retro");

      JsonArray blueRooms = admin(blue, "/admin/rooms?limit=100").getJsonArray("rooms");
      JsonArray greenRooms = admin(green, "/admin/rooms?limit=100").getJsonArray("rooms");

      assertThat(blueRooms.stream().map(room -> ((JsonObject) room).getString("roomId"))).containsExactly("standup");
      assertThat(greenRooms.stream().map(room -> ((JsonObject) room).getString("roomId")))
          .containsExactly("retro", "standup");
      assertThat(admin(blue, "/admin/rooms/standup").getJsonArray("participants")).hasSize(1);
      assertThat(admin(green, "/admin/rooms/standup").getJsonArray("participants")).hasSize(1);
      assertThat(admin(blue, "/admin/nodes").getJsonArray("nodes").stream()
          .map(node -> ((JsonObject) node).getString("id"))).containsExactly("blue-1");
      assertThat(redis.keys("*")).allSatisfy(key -> assertThat(key).matches("\\{?(blue|green):.*"));
    }
  }

  private static JsonObject admin(TestNode node, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + KEY).GET().build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      return new JsonObject(response.body());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + path, e);
    }
  }
}
