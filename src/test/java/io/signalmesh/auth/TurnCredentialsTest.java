package io.signalmesh.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.session.ClientId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class TurnCredentialsTest {

  private static final byte[] SECRET = "coturn-static-auth-secret".getBytes(StandardCharsets.UTF_8);
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
  private static final ClientId CLIENT = new ClientId("Yx3fQm9kT2sVb8LpW1aZcQ");

  private final TurnCredentials credentials = new TurnCredentials(SECRET, Duration.ofHours(1), CLOCK);

  @Test
  void usernameIsUnixExpiryColonClientId() {
    TurnCredential credential = credentials.forClient(CLIENT);

    assertThat(credential.username()).isEqualTo("1700003600:Yx3fQm9kT2sVb8LpW1aZcQ");
    assertThat(credential.expiresAt()).isEqualTo(Instant.ofEpochSecond(1_700_003_600L));
  }

  @Test
  void credentialMatchesWhatCoturnComputes() {
    // printf '%s' '1700003600:Yx3fQm9kT2sVb8LpW1aZcQ' \
    //   | openssl dgst -sha1 -hmac 'coturn-static-auth-secret' -binary | base64
    assertThat(credentials.forClient(CLIENT).credential()).isEqualTo("mynMOubIbkvI3NrdMRWCmu5PB/o=");
  }

  @Test
  void credentialIsStandardBase64OfHmacSha1OfTheUsername() throws Exception {
    ClientId client = ClientId.random();
    TurnCredential credential = credentials.forClient(client);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(SECRET, "HmacSHA1"));
    String expected = Base64.getEncoder().encodeToString(
        mac.doFinal(credential.username().getBytes(StandardCharsets.UTF_8)));

    assertThat(credential.credential()).isEqualTo(expected);
  }

  @Test
  void expiryWholeSecondsAreRoundedDown() {
    Clock midSecond = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 900_000_000), ZoneOffset.UTC);

    TurnCredential credential = new TurnCredentials(SECRET, Duration.ofMinutes(10), midSecond).forClient(CLIENT);

    assertThat(credential.username()).startsWith("1700000600:");
  }

  @Test
  void credentialNeverContainsTheSecret() {
    TurnCredential credential = credentials.forClient(CLIENT);

    assertThat(credential.toString()).doesNotContain("coturn-static-auth-secret");
  }

  @Test
  void refusesAnEmptySecret() {
    assertThatThrownBy(() -> new TurnCredentials(new byte[0], Duration.ofHours(1), CLOCK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TURN secret");
  }

  @Test
  void refusesATtlUnderOneSecond() {
    assertThatThrownBy(() -> new TurnCredentials(SECRET, Duration.ZERO, CLOCK))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
  }
}
