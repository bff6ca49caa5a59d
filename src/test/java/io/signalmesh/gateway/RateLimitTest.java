package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-connection message rate (token bucket): refusal first, close after repeated abuse. */
@Timeout(30)
class RateLimitTest {

  private static final int BURST = 5;
  private static TestNode node;

  @BeforeAll
  static void startNode() {
    // one token a second: a burst sent by a slow test thread still overflows the bucket
    node = TestNode.start("--rate-limit", "1", "--rate-burst", String.valueOf(BURST));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void messagesPastTheBurstGetRateLimitedAndTheConnectionStaysOpen() {
    try (TestClient ada = node.connect()) {
      for (int i = 0; i < BURST + 2; i++) {
        ada.send(new JsonObject().put("type", "ping"));
      }
      JsonObject error = ada.expectError("rate-limited");
      assertThat(error.getString("message")).isNotBlank();
      ada.syncTransport();
      assertThat(ada.isClosed()).isFalse();
    }
  }

  @Test
  void aRefusedMessageIsDroppedNotDelivered() {
    int sent = BURST + 3;
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("rl");
      bob.join("rl");
      for (int i = 0; i < sent; i++) {
        ada.relay("offer", bob.id(), new JsonObject().put("seq", i));
      }
      ada.expectError("rate-limited");
      ada.syncTransport();
      bob.sync();
      List<Integer> delivered = bob.drain().stream().filter(m -> "offer".equals(m.getString("type")))
          .map(m -> m.getInteger("seq")).toList();
      assertThat(delivered).hasSizeLessThan(sent).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void repeatedAbuseClosesTheConnectionWithPolicyViolation() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      // far past burst + as many refusals as the burst in one go
      for (int i = 0; i < BURST * 6 && !ada.isClosed(); i++) {
        ada.send(new JsonObject().put("type", "ping"));
      }
      ada.expectError("rate-limited");
      assertThat(ada.awaitClose()).isEqualTo(1008);
      // others are not affected
      bob.sync();
    }
  }
}
