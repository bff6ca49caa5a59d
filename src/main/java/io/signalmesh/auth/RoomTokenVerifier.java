package io.signalmesh.auth;

import static io.signalmesh.auth.TokenRejectedException.Reason.BAD_SIGNATURE;
import static io.signalmesh.auth.TokenRejectedException.Reason.EXPIRED;
import static io.signalmesh.auth.TokenRejectedException.Reason.MALFORMED;
import static io.signalmesh.auth.TokenRejectedException.Reason.MISSING_CLAIM;
import static io.signalmesh.auth.TokenRejectedException.Reason.NOT_YET_VALID;
import static io.signalmesh.auth.TokenRejectedException.Reason.TOO_LARGE;
import static io.signalmesh.auth.TokenRejectedException.Reason.UNSUPPORTED_ALGORITHM;

import io.signalmesh.auth.TokenRejectedException.Reason;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a room token (a compact HS256 JWT) and returns what it grants. Thread-safe: one instance
 * serves every connection. Only HS256 with the configured secret is accepted; the algorithm in
 * the header is checked, never used to choose how to verify, so {@code alg: none} and algorithm
 * confusion cannot get in.
 */
public final class RoomTokenVerifier {

  /** Longest token looked at; anything longer is refused before it is decoded or parsed. */
  public static final int MAX_TOKEN_CHARS = 4096;

  private final SecretKeySpec key;
  private final Clock clock;
  private final Duration leeway;

  /**
   * @param secret the shared HS256 secret, at least 32 bytes
   * @param clock the time that {@code exp} and {@code nbf} are checked against
   * @param leeway how far the issuer's clock may be off from ours, applied to {@code exp} and {@code nbf}
   */
  public RoomTokenVerifier(byte[] secret, Clock clock, Duration leeway) {
    this.key = Hs256.key(secret);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.leeway = Objects.requireNonNull(leeway, "leeway");
    if (leeway.isNegative()) {
      throw new IllegalArgumentException("token leeway must not be negative");
    }
  }

  /**
   * Returns the token's grant.
   *
   * @throws TokenRejectedException if the token is malformed, not signed with our secret by HS256,
   *     expired, not yet valid or lacks a required claim
   */
  public RoomToken verify(String jwt) {
    if (jwt == null) {
      throw reject(MALFORMED, "no token");
    }
    if (jwt.length() > MAX_TOKEN_CHARS) {
      throw reject(TOO_LARGE, "token is longer than " + MAX_TOKEN_CHARS + " characters");
    }
    int firstDot = jwt.indexOf('.');
    int secondDot = firstDot < 0 ? -1 : jwt.indexOf('.', firstDot + 1);
    if (secondDot < 0 || jwt.indexOf('.', secondDot + 1) >= 0) {
      throw reject(MALFORMED, "token must have three dot-separated parts");
    }
    byte[] headerBytes = decodeSegment(jwt.substring(0, firstDot), "header");
    byte[] payloadBytes = decodeSegment(jwt.substring(firstDot + 1, secondDot), "payload");
    byte[] signature = decodeSegment(jwt.substring(secondDot + 1), "signature");

    checkHeader(parseObject(headerBytes, "header"));
    // Over exactly the bytes received: re-encoding the parsed JSON could differ from what was signed.
    byte[] expected = Hs256.sign(key, jwt.substring(0, secondDot));
    if (!MessageDigest.isEqual(expected, signature)) {
      throw reject(BAD_SIGNATURE, "token signature does not match");
    }
    return grant(parseObject(payloadBytes, "payload"));
  }

  private static void checkHeader(JsonObject header) {
    Object alg = header.getValue("alg");
    if (alg == null) {
      throw reject(UNSUPPORTED_ALGORITHM, "token header names no algorithm");
    }
    // Algorithm names are case-sensitive (RFC 7515 4.1.1): "hs256" is not HS256.
    if (!"HS256".equals(alg)) {
      throw reject(UNSUPPORTED_ALGORITHM, "only HS256 tokens are accepted");
    }
    Object typ = header.getValue("typ");
    if (typ != null && !(typ instanceof String text && text.equalsIgnoreCase("JWT"))) {
      throw reject(MALFORMED, "token type must be JWT");
    }
    // RFC 7515 4.1.11: extensions listed in crit must be understood; we understand none.
    if (header.containsKey("crit")) {
      throw reject(MALFORMED, "token header has critical extensions");
    }
  }

  private RoomToken grant(JsonObject claims) {
    String subject = requiredString(claims, "sub");
    String room = requiredString(claims, "room");
    if (!RoomToken.isValidRoomClaim(room)) {
      throw reject(MALFORMED, "token room claim must be a room id, a prefix ending in *, or *");
    }
    Instant expiresAt = numericDate(claims, "exp");
    if (expiresAt == null) {
      throw reject(MISSING_CLAIM, "token has no exp claim");
    }
    Instant notBefore = numericDate(claims, "nbf");
    String name = optional(claims, "name", String.class);
    Boolean canPublish = optional(claims, "canPublish", Boolean.class);
    Integer capacity = capacity(claims);

    // Written so that no arithmetic is done on claim values: a huge exp cannot overflow.
    Instant now = clock.instant();
    if (!now.minus(leeway).isBefore(expiresAt)) {
      throw reject(EXPIRED, "token has expired");
    }
    if (notBefore != null && now.plus(leeway).isBefore(notBefore)) {
      throw reject(NOT_YET_VALID, "token is not valid yet");
    }
    return new RoomToken(subject, room, name, expiresAt, notBefore, capacity,
        canPublish == null || canPublish);
  }

  private static byte[] decodeSegment(String segment, String part) {
    byte[] bytes = Hs256.decodeStrict(segment);
    if (bytes == null) {
      throw reject(MALFORMED, "token " + part + " is not unpadded base64url");
    }
    return bytes;
  }

  private static JsonObject parseObject(byte[] utf8, String part) {
    try {
      // Strict UTF-8: a lenient decoder would swap bad bytes for U+FFFD and carry on.
      String json = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
      return new JsonObject(json);
    } catch (CharacterCodingException | DecodeException | ClassCastException e) {
      throw reject(MALFORMED, "token " + part + " is not a JSON object");
    }
  }

  private static String requiredString(JsonObject claims, String claim) {
    String value = optional(claims, claim, String.class);
    if (value == null || value.isEmpty()) {
      throw reject(MISSING_CLAIM, "token has no " + claim + " claim");
    }
    return value;
  }

  private static <T> T optional(JsonObject claims, String claim, Class<T> type) {
    Object value = claims.getValue(claim);
    if (value != null && !type.isInstance(value)) {
      throw reject(MALFORMED, "token " + claim + " claim has the wrong type");
    }
    return type.cast(value);
  }

  /** A NumericDate (RFC 7519 2): seconds since the epoch, fractions allowed. */
  private static Instant numericDate(JsonObject claims, String claim) {
    Number value = optional(claims, claim, Number.class);
    if (value == null) {
      return null;
    }
    try {
      BigDecimal seconds;
      if (value instanceof BigDecimal exact) {
        seconds = exact;
      } else if (value instanceof BigInteger big) {
        seconds = new BigDecimal(big);
      } else if (value instanceof Double || value instanceof Float) {
        seconds = BigDecimal.valueOf(value.doubleValue());
      } else {
        seconds = BigDecimal.valueOf(value.longValue());
      }
      BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
      long nanos = seconds.subtract(whole).movePointRight(9).longValue();
      return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    } catch (ArithmeticException | NumberFormatException | DateTimeException e) {
      throw reject(MALFORMED, "token " + claim + " claim is not a usable time");
    }
  }

  private static Integer capacity(JsonObject claims) {
    Number value = optional(claims, "capacity", Number.class);
    if (value == null) {
      return null;
    }
    boolean integral = value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    if (!integral || value.longValue() < 1 || value.longValue() > Integer.MAX_VALUE
        || (value instanceof BigInteger big && big.bitLength() > 63)) {
      throw reject(MALFORMED, "token capacity claim must be a positive whole number");
    }
    return value.intValue();
  }

  private static TokenRejectedException reject(Reason reason, String message) {
    return new TokenRejectedException(reason, message);
  }
}
