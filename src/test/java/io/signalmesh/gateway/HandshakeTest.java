package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Slowloris and smuggling at the upgrade: half-open upgrades are closed, upgrades with a body refused. */
@Timeout(30)
class HandshakeTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--handshake-timeout", "500ms");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void aHalfOpenUpgradeIsClosedWithinTheTimeout() {
    try (RawUpgrade slow = RawUpgrade.open("127.0.0.1", node.port())) {
      slow.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
      assertThat(slow.awaitEndOfStream(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedWithinTheTimeout() {
    try (RawUpgrade silent = RawUpgrade.open("127.0.0.1", node.port())) {
      assertThat(silent.awaitEndOfStream(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aCompletedUpgradeOutlivesTheHandshakeTimeout() {
    try (TestClient ada = node.connect(); RawUpgrade slow = RawUpgrade.open("127.0.0.1", node.port())) {
      // by the time the silent connection is closed, the WebSocket is past the handshake timeout too
      assertThat(slow.awaitEndOfStream(Duration.ofSeconds(5))).isTrue();
      ada.sync();
      assertThat(ada.isClosed()).isFalse();
    }
  }

  @Test
  void anUpgradeWithAContentLengthIsRefusedWith400() {
    try (RawUpgrade upgrade = RawUpgrade.upgrade("127.0.0.1", node.port(), "/ws", Map.of("Content-Length", "5"), "hello")) {
      assertThat(upgrade.status()).isEqualTo(400);
    }
  }

  @Test
  void anUpgradeWithTransferEncodingIsRefusedWith400() {
    try (RawUpgrade upgrade = RawUpgrade.upgrade("127.0.0.1", node.port(), "/ws",
        Map.of("Transfer-Encoding", "chunked"), "5\r\nhello\r\n0\r\n\r\n")) {
      assertThat(upgrade.status()).isEqualTo(400);
    }
  }

  @Test
  void anUpgradeThatAnnouncesABodyAndNeverSendsItIsClosedWithinTheTimeout() {
    try (RawUpgrade upgrade = RawUpgrade.open("127.0.0.1", node.port())) {
      upgrade.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 100000\r\n\r\n");
      assertThat(upgrade.awaitEndOfStream(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void anUpgradeWithAZeroContentLengthIsAccepted() {
    try (RawUpgrade upgrade = RawUpgrade.upgrade("127.0.0.1", node.port(), "/ws", Map.of("Content-Length", "0"))) {
      assertThat(upgrade.status()).isEqualTo(101);
    }
  }
}
