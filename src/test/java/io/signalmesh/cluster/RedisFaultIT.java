package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Redis going away and coming back (empty, too): signaling degrades and heals by itself. */
@Timeout(120)
class RedisFaultIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @AutoClose
  private static MeshCluster mesh;

  @BeforeAll
  static void startMesh() {
    mesh = MeshCluster.start("redisfault", 2, "--redis-timeout", "500ms");
  }

  @Test
  void whileRedisIsDownJoinsAreUnavailableRelaysGoOnAndReadinessIsRedButLivenessIsNot() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("rf-down");
      bob.join("rf-down");
      ada.expect("participant-joined");
      mesh.redis().stop();
      try {
        ada.send(new JsonObject().put("type", "join-room").put("roomId", "rf-other"));
        JsonObject error = ada.expectError("unavailable");
        assertThat(error.getString("ref")).isEqualTo("join-room");
        ada.relay("offer", bob.id(), new JsonObject().put("sdp", "still flowing"));
        assertThat(bob.expect("offer").getString("sdp")).isEqualTo("still flowing");
        Wait.until("readiness to turn red", Duration.ofSeconds(10), () -> status(0, "/health/ready") == 503);
        assertThat(status(0, "/health/live")).isEqualTo(200);
      } finally {
        mesh.redis().start();
      }
      Wait.until("readiness to turn green again", Duration.ofSeconds(15), () -> status(0, "/health/ready") == 200);
      JsonObject reply = ada.join("rf-other");
      assertThat(reply.getString("roomId")).isEqualTo("rf-other");
    }
  }

  @Test
  void afterRedisLosesItsDataEveryNodeReassertsItsLiveSessions() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("rf-flush", "Ada");
      bob.join("rf-flush", "Bob");
      mesh.redis().flushAll();
      String room = "signalmesh:room:{rf-flush}:members";
      Wait.until("both members back in Redis", Duration.ofSeconds(10),
          () -> "1".equals(mesh.redis().command("HEXISTS", room, ada.id()))
              && "1".equals(mesh.redis().command("HEXISTS", room, bob.id())));
      try (TestClient cyd = mesh.node(1).connect()) {
        JsonObject reply = cyd.join("rf-flush");
        assertThat(reply.getJsonArray("participants").getList()).containsExactlyInAnyOrder(ada.id(), bob.id());
        assertThat(reply.getJsonObject("profiles").getJsonObject(ada.id()).getString("name")).isEqualTo("Ada");
      }
    }
  }

  private static int status(int node, String path) {
    try {
      HttpRequest request = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + mesh.node(node).managementPort() + path)).timeout(Duration.ofSeconds(5)).build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
