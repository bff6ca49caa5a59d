package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.signalmesh.testsupport.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connection exhaustion from one address: past the limit, upgrades get 429; other addresses do not notice. */
@Timeout(60)
class ConnectionsPerAddressTest {

  private static final int LIMIT = 200;

  @Test
  void theConnectionPastTheLimitIsRefusedAndAnotherAddressIsUnaffected() {
    List<RawUpgrade> held = new ArrayList<>();
    try (TestNode node = TestNode.start("--max-connections-per-ip", String.valueOf(LIMIT))) {
      for (int i = 0; i < LIMIT; i++) {
        RawUpgrade upgrade = RawUpgrade.upgrade("127.0.0.2", node.port(), "/ws", Map.of());
        held.add(upgrade);
        assertThat(upgrade.status()).as("connection %d", i + 1).isEqualTo(101);
      }
      try (RawUpgrade extra = RawUpgrade.upgrade("127.0.0.2", node.port(), "/ws", Map.of())) {
        assertThat(extra.status()).isEqualTo(429);
      }
      try (TestClient honest = node.connect(); TestClient other = node.connect()) {
        honest.join("room");
        other.join("room");
        honest.expect("participant-joined");
      }
    } finally {
      held.forEach(RawUpgrade::close);
    }
  }

  @Test
  void theCountDropsWhenConnectionsClose() {
    try (TestNode node = TestNode.start("--max-connections-per-ip", "2")) {
      RawUpgrade first = RawUpgrade.upgrade("127.0.0.3", node.port(), "/ws", Map.of());
      try (RawUpgrade second = RawUpgrade.upgrade("127.0.0.3", node.port(), "/ws", Map.of())) {
        assertThat(first.status()).isEqualTo(101);
        assertThat(second.status()).isEqualTo(101);
        try (RawUpgrade third = RawUpgrade.upgrade("127.0.0.3", node.port(), "/ws", Map.of())) {
          assertThat(third.status()).isEqualTo(429);
        }
        first.close();
        Wait.until("a slot to free up", Duration.ofSeconds(10), () -> {
          try (RawUpgrade again = RawUpgrade.upgrade("127.0.0.3", node.port(), "/ws", Map.of())) {
            return again.status() == 101;
          }
        });
      }
    }
  }

  @Test
  void forwardedForIsHonouredFromATrustedProxy() {
    try (TestNode node = TestNode.start("--max-connections-per-ip", "1", "--trusted-proxies", "127.0.0.4");
        RawUpgrade a = RawUpgrade.upgrade("127.0.0.4", node.port(), "/ws", Map.of("X-Forwarded-For", "203.0.113.7"));
        RawUpgrade b = RawUpgrade.upgrade("127.0.0.4", node.port(), "/ws",
            Map.of("X-Forwarded-For", "203.0.113.8, 127.0.0.4"));
        RawUpgrade again = RawUpgrade.upgrade("127.0.0.4", node.port(), "/ws",
            Map.of("X-Forwarded-For", "203.0.113.7"))) {
      assertThat(a.status()).isEqualTo(101);
      assertThat(b.status()).as("another client behind the same proxy").isEqualTo(101);
      assertThat(again.status()).as("the first client's second connection").isEqualTo(429);
    }
  }

  @Test
  void forwardedForIsIgnoredFromAnUntrustedAddress() {
    try (TestNode node = TestNode.start("--max-connections-per-ip", "1", "--trusted-proxies", "127.0.0.4");
        RawUpgrade a = RawUpgrade.upgrade("127.0.0.5", node.port(), "/ws", Map.of("X-Forwarded-For", "203.0.113.7"));
        RawUpgrade spoofed = RawUpgrade.upgrade("127.0.0.5", node.port(), "/ws",
            Map.of("X-Forwarded-For", "203.0.113.99"))) {
      assertThat(a.status()).isEqualTo(101);
      assertThat(spoofed.status()).as("a made-up X-Forwarded-For does not buy another slot").isEqualTo(429);
    }
  }
}
