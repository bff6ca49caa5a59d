package io.signalmesh.auth;

import io.signalmesh.session.ClientId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints TURN credentials that coturn checks with {@code use-auth-secret} and the same
 * {@code static-auth-secret}: the TURN server needs no call back to us, and a leaked credential
 * stops working at its expiry. The secret itself never leaves this class.
 */
public final class TurnCredentials {

  private static final String MAC_ALGORITHM = "HmacSHA1";

  private final SecretKeySpec key;
  private final Duration ttl;
  private final Clock clock;

  /**
   * @param secret coturn's {@code static-auth-secret}, as UTF-8 bytes
   * @param ttl how long each credential works
   * @param clock the time the expiry is counted from
   */
  public TurnCredentials(byte[] secret, Duration ttl, Clock clock) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("TURN secret must not be empty");
    }
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("TURN credential ttl must be at least one second");
    }
    this.key = new SecretKeySpec(secret, MAC_ALGORITHM);
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public TurnCredential forClient(ClientId clientId) {
    Objects.requireNonNull(clientId, "clientId");
    Instant expiresAt = Instant.ofEpochSecond(clock.instant().plus(ttl).getEpochSecond());
    // Expiry first: coturn reads the timestamp before the first ':' of the username.
    String username = expiresAt.getEpochSecond() + ":" + clientId.value();
    return new TurnCredential(username, Base64.getEncoder().encodeToString(hmac(username)), expiresAt);
  }

  private byte[] hmac(String username) {
    try {
      // A new Mac per call: Mac is not thread-safe and sessions on every event loop ask for credentials.
      Mac mac = Mac.getInstance(MAC_ALGORITHM);
      mac.init(key);
      return mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
    }
  }
}
