package io.signalmesh.auth;

import static io.signalmesh.auth.TestTokens.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RoomTokenIssuerTest {

  private static final Instant NOW = Instant.parse("2027-01-15T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final RoomTokenIssuer issuer = new RoomTokenIssuer(SECRET, CLOCK);
  private final RoomTokenVerifier verifier = new RoomTokenVerifier(SECRET, CLOCK, Duration.ofSeconds(30));

  private static JsonObject part(String jwt, int index) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8));
  }

  @Test
  void issuedTokenIsAcceptedByTheVerifierWithTheSameSecret() {
    String jwt = issuer.issue("ada", "r1", "Ada L.", Duration.ofMinutes(15), 8);

    RoomToken token = verifier.verify(jwt);

    assertThat(token).isEqualTo(new RoomToken("ada", "r1", "Ada L.", NOW.plus(Duration.ofMinutes(15)), null, 8, true));
  }

  @Test
  void issuedPrefixTokenCoversTheRoomsUnderThePrefix() {
    RoomToken token = verifier.verify(issuer.issue("ada", "team-a:*", null, Duration.ofHours(1), null));

    assertThat(token.covers("team-a:standup")).isTrue();
    assertThat(token.covers("team-b:standup")).isFalse();
  }

  @Test
  void optionalClaimsAreLeftOutWhenNotGiven() {
    JsonObject claims = part(issuer.issue("ada", "r1", null, Duration.ofHours(1), null), 1);

    assertThat(claims.fieldNames()).containsExactlyInAnyOrder("sub", "room", "iat", "exp");
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + 3600);
  }

  @Test
  void headerIsHs256Jwt() {
    JsonObject header = part(issuer.issue("ada", "r1", null, Duration.ofHours(1), null), 0);

    assertThat(header).isEqualTo(new JsonObject().put("alg", "HS256").put("typ", "JWT"));
  }

  @Test
  void tokenIsUnpaddedBase64url() {
    String jwt = issuer.issue("ada", "r1", "Zoë ✓ ?>", Duration.ofHours(1), null);

    assertThat(jwt).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}");
    assertThat(verifier.verify(jwt).name()).isEqualTo("Zoë ✓ ?>");
  }

  @Test
  void issuedTokenExpiresAfterItsTtl() {
    String jwt = issuer.issue("ada", "r1", null, Duration.ofSeconds(90), null);
    RoomTokenVerifier later = new RoomTokenVerifier(SECRET, Clock.fixed(NOW.plusSeconds(90), ZoneOffset.UTC), Duration.ZERO);

    assertThatThrownBy(() -> later.verify(jwt))
        .isInstanceOfSatisfying(TokenRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(TokenRejectedException.Reason.EXPIRED));
  }

  @Test
  void tokenFromAnotherSecretIsRejected() {
    RoomTokenIssuer other = new RoomTokenIssuer(
        "a-completely-different-32-byte-secret".getBytes(StandardCharsets.UTF_8), CLOCK);

    assertThatThrownBy(() -> verifier.verify(other.issue("ada", "r1", null, Duration.ofHours(1), null)))
        .isInstanceOfSatisfying(TokenRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(TokenRejectedException.Reason.BAD_SIGNATURE));
  }

  @Test
  void refusesAnInvalidRoom() {
    assertThatThrownBy(() -> issuer.issue("ada", "two words", null, Duration.ofHours(1), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("room");
  }

  @Test
  void refusesAnEmptySubject() {
    assertThatThrownBy(() -> issuer.issue("", "r1", null, Duration.ofHours(1), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subject");
  }

  @Test
  void refusesATtlUnderOneSecond() {
    assertThatThrownBy(() -> issuer.issue("ada", "r1", null, Duration.ofMillis(500), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
  }

  @Test
  void refusesANonPositiveCapacity() {
    assertThatThrownBy(() -> issuer.issue("ada", "r1", null, Duration.ofHours(1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
  }

  @Test
  void refusesASecretShorterThan32Bytes() {
    assertThatThrownBy(() -> new RoomTokenIssuer(new byte[31], CLOCK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
  }
}
