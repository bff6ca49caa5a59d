package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.LogCapture;
import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WebSocket pings and the idle timeout (protocol.md, Liveness). */
@Timeout(30)
class LivenessTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--ping-interval", "200ms", "--idle-timeout", "1500ms");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void aClientThatDoesNotAnswerPingsIsClosedAfterTheIdleTimeout() {
    try (LogCapture log = LogCapture.attach();
        RawWebSocket silent = RawWebSocket.connect(node.port(), "/ws").answerPings(false)) {
      String id = silent.expect("connected").getString("clientId");
      long start = System.nanoTime();
      silent.awaitClose(Duration.ofSeconds(10));
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(silent.pingsSeen()).as("pings the server sent meanwhile").isGreaterThanOrEqualTo(2);
      assertThat(elapsedMillis).as("ms until closed").isGreaterThanOrEqualTo(1400);
      log.await(LogCapture.about(id, "connection lost"));
    }
  }

  @Test
  void aClientThatAnswersPingsStaysConnectedPastTheIdleTimeout() {
    try (RawWebSocket quiet = RawWebSocket.connect(node.port(), "/ws").answerPings(true)) {
      quiet.expect("connected");
      // 10 pings 200 ms apart: past the 1.5 s idle timeout with nothing but pongs sent
      quiet.awaitPings(10);
      quiet.sendText(new JsonObject().put("type", "ping"));
      quiet.expect("pong");
    }
  }

  @Test
  void theJdkClientAnsweringPingsOnItsOwnStaysConnected() {
    try (TestClient ada = node.connect(); RawWebSocket clock = RawWebSocket.connect(node.port(), "/ws")) {
      clock.expect("connected");
      clock.awaitPings(10);
      ada.sync();
      assertThat(ada.isClosed()).isFalse();
    }
  }
}
