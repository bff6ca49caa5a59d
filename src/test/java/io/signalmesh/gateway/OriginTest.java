package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cross-site WebSocket hijacking: upgrades from origins not on the allow-list are refused with 403. */
@Timeout(30)
class OriginTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--allowed-origins", "https://app.example.org,http://localhost:3000");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void aForeignOriginIsRefusedWith403() {
    try (RawWebSocket evil = RawWebSocket.connect(node.port(), "/ws", Map.of("Origin", "https://evil.example.com"), 0)) {
      assertThat(evil.status()).isEqualTo(403);
    }
  }

  @Test
  void anOriginThatOnlyStartsLikeAnAllowedOneIsRefused() {
    try (RawWebSocket evil = RawWebSocket.connect(node.port(), "/ws",
        Map.of("Origin", "https://app.example.org.evil.com"), 0)) {
      assertThat(evil.status()).isEqualTo(403);
    }
  }

  @Test
  void anAllowedOriginConnects() {
    try (RawWebSocket page = RawWebSocket.connect(node.port(), "/ws", Map.of("Origin", "https://app.example.org"), 0)) {
      assertThat(page.status()).isEqualTo(101);
      page.expect("connected");
    }
  }

  @Test
  void aClientWithoutOriginConnects() {
    try (TestClient tool = node.connect()) {
      assertThat(tool.id()).isNotBlank();
    }
  }

  @Test
  void byDefaultAnyOriginIsAllowed() {
    try (TestNode open = TestNode.start();
        RawWebSocket page = RawWebSocket.connect(open.port(), "/ws", Map.of("Origin", "https://anywhere.example"), 0)) {
      assertThat(page.status()).isEqualTo(101);
    }
  }
}
