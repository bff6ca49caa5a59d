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
  private static final String JUDGING = "judging other nodes' liveness:";
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

  /**
   * Every node's heartbeat runs out while Redis is away; the first node back must not declare
   * the others dead (they would fence themselves and reconnect all their clients).
   */
  @Test
  void anOutageLongerThanTheLivenessTtlDeclaresNoNodeDeadAndEveryCallGoesOn() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      ada.join("rf-long");
      bob.join("rf-long");
      ada.expect("participant-joined");
      int[] judgedBefore = new int[2];
      for (int node = 0; node < 2; node++) {
        int n = node;
        Wait.until("node " + (n + 1) + " to judge other nodes", Duration.ofSeconds(20), () -> judgments(n) > 0);
        judgedBefore[n] = judgments(n);
      }
      mesh.redis().outage(NodeLiveness.TTL.plusSeconds(2), () -> { });
      for (int node = 0; node < 2; node++) {
        int n = node;
        // the first check after the judge lets a node ask is the one that would declare the others dead
        Wait.until("node " + (n + 1) + " to judge other nodes again", Duration.ofSeconds(20),
            () -> judgments(n) > judgedBefore[n]);
      }
      assertThat(mesh.redis().command("EXISTS", nodeKey(0, "dead"), nodeKey(1, "dead"))).as("nodes declared dead")
          .isEqualTo("0");
      ada.relay("offer", bob.id(), new JsonObject().put("sdp", "same session"));
      assertThat(bob.expect("offer").getString("sdp")).isEqualTo("same session");
      try (TestClient cyd = mesh.node(0).connect()) {
        assertThat(cyd.join("rf-long").getJsonArray("participants").getList()).containsExactlyInAnyOrder(ada.id(), bob.id());
      }
      ada.assertNone("reconnect");
      bob.assertNone("reconnect");
      for (int node = 0; node < 2; node++) {
        assertThat(mesh.node(node).fencedItself()).as("node %d fenced itself", node + 1).isFalse();
      }
    }
  }

  private static int judgments(int node) {
    return mesh.node(node).logText().split(JUDGING, -1).length - 1;
  }

  private static String nodeKey(int node, String what) {
    return "signalmesh:node:{" + mesh.node(node).nodeId() + "}:" + what;
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
