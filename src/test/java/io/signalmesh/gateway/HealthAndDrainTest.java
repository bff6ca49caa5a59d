package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Health on the management port, and draining (operator-contract.md; protocol.md, Resume). */
@Timeout(30)
class HealthAndDrainTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(TestClient.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void liveAndReadyAreUpOnTheManagementPortOfAServingNode() throws Exception {
    try (TestNode node = TestNode.start()) {
      HttpResponse<String> live = get(node.managementPort(), "/health/live");
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(live.body()).getString("status")).isEqualTo("UP");
      HttpResponse<String> ready = get(node.managementPort(), "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(ready.body()).getBoolean("ready")).isTrue();
    }
  }

  @Test
  void healthIsNotServedOnThePublicPort() throws Exception {
    try (TestNode node = TestNode.start()) {
      assertThat(get(node.port(), "/health/ready").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void drainingSendsReconnectThenClose1012TurnsReadinessFalseAndRefusesNewConnections() throws Exception {
    try (TestNode node = TestNode.start(); TestClient ada = node.connect();
        RawWebSocket holder = RawWebSocket.connect(node.port(), "/ws")) {
      ada.join("draining");
      holder.expect("connected");
      Future<Void> stopped = node.node().drainAndStop();

      assertThat(ada.expect("reconnect")).isEqualTo(new JsonObject().put("type", "reconnect").put("reason", "draining"));
      assertThat(ada.awaitClose()).isEqualTo(1012);
      // the holder reads the close but does not answer it: the node is still draining
      assertThat(holder.expect("reconnect").getString("reason")).isEqualTo("draining");
      assertThat(holder.awaitClose(TestClient.TIMEOUT)).isEqualTo(1012);

      HttpResponse<String> ready = get(node.managementPort(), "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(ready.body()).getBoolean("ready")).isFalse();
      assertThat(get(node.managementPort(), "/health/live").statusCode()).isEqualTo(200);
      try (RawWebSocket late = RawWebSocket.connect(node.port(), "/ws")) {
        assertThat(late.status()).isEqualTo(503);
      }

      holder.close();
      stopped.toCompletionStage().toCompletableFuture().get(TestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }
}
