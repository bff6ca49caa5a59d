package io.signalmesh.auth;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/** Mints room tokens (compact HS256 JWTs) that {@link RoomTokenVerifier} accepts with the same secret. */
public final class RoomTokenIssuer {

  /** Always the same header, so it is encoded once. */
  private static final String HEADER = Hs256.encode(
      new JsonObject().put("alg", "HS256").put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8));

  private final SecretKeySpec key;
  private final Clock clock;

  /**
   * @param secret the shared HS256 secret, at least 32 bytes
   * @param clock the time that {@code iat} and {@code exp} are counted from
   */
  public RoomTokenIssuer(byte[] secret, Clock clock) {
    this.key = Hs256.key(secret);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @param subject the holder's identity ({@code sub})
   * @param room a room id, a room id prefix ending in {@code *}, or {@code *}
   * @param name display name, or null
   * @param ttl how long the token is accepted, counted from now
   * @param capacity the room capacity to ask for, or null for the server's default
   */
  public String issue(String subject, String room, String name, Duration ttl, Integer capacity) {
    if (subject == null || subject.isEmpty()) {
      throw new IllegalArgumentException("token subject must not be empty");
    }
    if (!RoomToken.isValidRoomClaim(room)) {
      throw new IllegalArgumentException("token room must be a room id, a prefix ending in *, or *");
    }
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      // exp has whole seconds: anything shorter would be expired when it is minted.
      throw new IllegalArgumentException("token ttl must be at least one second");
    }
    if (capacity != null && capacity < 1) {
      throw new IllegalArgumentException("token capacity must be at least 1");
    }
    Instant now = clock.instant();
    JsonObject claims = new JsonObject().put("sub", subject).put("room", room);
    if (name != null) {
      claims.put("name", name);
    }
    claims.put("iat", now.getEpochSecond()).put("exp", now.plus(ttl).getEpochSecond());
    if (capacity != null) {
      claims.put("capacity", capacity);
    }
    String signingInput = HEADER + "." + Hs256.encode(claims.encode().getBytes(StandardCharsets.UTF_8));
    return signingInput + "." + Hs256.encode(Hs256.sign(key, signingInput));
  }
}
