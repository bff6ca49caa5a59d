package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Joins per second per connection: a join flood gets rate-limited (ref join-room); other messages are not counted. */
@Timeout(30)
class JoinRateTest {

  private static final int BURST = 3;
  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--join-rate", "1", "--join-burst", String.valueOf(BURST));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void aJoinFloodGetsRateLimitedWithRefJoinRoom() {
    try (TestClient flooder = node.connect()) {
      for (int i = 0; i < BURST * 3; i++) {
        flooder.send(new JsonObject().put("type", "join-room").put("roomId", "flood-" + i));
      }
      JsonObject error = flooder.expectError("rate-limited");
      assertThat(error.getString("ref")).isEqualTo("join-room");
      flooder.syncTransport();
      assertThat(flooder.isClosed()).isFalse();
    }
  }

  @Test
  void aJoinTypeWrittenWithJsonEscapesIsCountedToo() {
    try (TestClient flooder = node.connect()) {
      for (int i = 0; i < BURST * 3; i++) {
        flooder.sendText("{\"type\":\"join\\u002droom\",\"roomId\":\"esc-" + i + "\"}");
      }
      assertThat(flooder.expectError("rate-limited").getString("ref")).isEqualTo("join-room");
    }
  }

  @Test
  void otherMessagesDoNotUseUpTheJoins() {
    try (TestClient ada = node.connect()) {
      for (int i = 0; i < BURST * 3; i++) {
        ada.send(new JsonObject().put("type", "ping"));
      }
      ada.sync();
      ada.join("after-pings");
      ada.assertNone("error");
    }
  }

  @Test
  void anHonestClientJoinsWhileAnotherFloods() {
    try (TestClient flooder = node.connect(); TestClient ada = node.connect(); TestClient bob = node.connect()) {
      for (int i = 0; i < BURST * 3; i++) {
        flooder.send(new JsonObject().put("type", "join-room").put("roomId", "f-" + i));
      }
      flooder.expectError("rate-limited");
      ada.join("honest");
      bob.join("honest");
      ada.expect("participant-joined");
    }
  }
}
