package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.auth.RoomTokenIssuer;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A session lives no longer than its room token. */
@Timeout(30)
class TokenExpiryTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-0123456789";
  private static final RoomTokenIssuer ISSUER = new RoomTokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());

  @Test
  void aSessionWhoseTokenExpiresIsToldClosedWith4001AndLeavesItsRooms() {
    try (TestNode node = TestNode.start("--token-secret", SECRET, "--token-leeway", "0s");
        TestClient lasting = node.connect("/ws?token=" + ISSUER.issue("ada", "exp-room", null, Duration.ofMinutes(5), null));
        TestClient brief = node.connect("/ws?token=" + ISSUER.issue("bob", "exp-room", null, Duration.ofSeconds(2), null))) {
      lasting.join("exp-room");
      brief.join("exp-room");
      lasting.expect("participant-joined");
      JsonObject error = brief.expectWithin("error", Duration.ofSeconds(8));
      assertThat(error.getString("code")).isEqualTo("unauthorized");
      assertThat(error.getString("message")).contains("expired");
      assertThat(brief.awaitClose()).isEqualTo(4001);
      JsonObject left = lasting.expect("participant-left");
      assertThat(left.getString("participantId")).isEqualTo(brief.id());
      lasting.sync();
      assertThat(lasting.isClosed()).isFalse();
    }
  }
}
