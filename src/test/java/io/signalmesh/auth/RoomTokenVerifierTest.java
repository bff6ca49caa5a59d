package io.signalmesh.auth;

import static io.signalmesh.auth.TestTokens.HS256_HEADER;
import static io.signalmesh.auth.TestTokens.SECRET;
import static io.signalmesh.auth.TestTokens.b64;
import static io.signalmesh.auth.TestTokens.signed;
import static io.signalmesh.auth.TestTokens.signedSegments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.signalmesh.auth.TokenRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoomTokenVerifierTest {

  private static final long NOW = 1_800_000_000L;
  private static final Duration LEEWAY = Duration.ofSeconds(30);

  private final RoomTokenVerifier verifier = verifierAt(NOW);

  private static RoomTokenVerifier verifierAt(long epochSecond) {
    return new RoomTokenVerifier(SECRET,
        Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC), LEEWAY);
  }

  /** Claims valid at NOW, plus {@code extra} (a JSON fragment starting with a comma, or empty). */
  private static String claims(String extra) {
    return "{\"sub\":\"ada\",\"room\":\"r1\",\"exp\":" + (NOW + 3600) + extra + "}";
  }

  private static String validToken() {
    return signed(HS256_HEADER, claims(""));
  }

  private Reason rejection(String jwt) {
    TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class, () -> verifier.verify(jwt));
    assertThat(e).as("token should be rejected").isNotNull();
    return e.reason();
  }

  // --- what a valid token grants

  @Test
  void returnsTheClaimsOfAValidToken() {
    String jwt = signed(HS256_HEADER, "{\"sub\":\"ada\",\"room\":\"r1\",\"name\":\"Ada L.\",\"exp\":"
        + (NOW + 60) + ",\"nbf\":" + (NOW - 60) + ",\"capacity\":8,\"canPublish\":false}");

    RoomToken token = verifier.verify(jwt);

    assertThat(token).isEqualTo(new RoomToken("ada", "r1", "Ada L.", Instant.ofEpochSecond(NOW + 60),
        Instant.ofEpochSecond(NOW - 60), 8, false));
  }

  @Test
  void optionalClaimsDefaultToAbsentAndCanPublishToTrue() {
    RoomToken token = verifier.verify(validToken());

    assertThat(token.name()).isNull();
    assertThat(token.notBefore()).isNull();
    assertThat(token.capacity()).isNull();
    assertThat(token.canPublish()).isTrue();
  }

  @Test
  void acceptsAPrefixRoomClaimThatCoversMatchingRooms() {
    RoomToken token = verifier.verify(signed(HS256_HEADER,
        "{\"sub\":\"ada\",\"room\":\"team-a:*\",\"exp\":" + (NOW + 60) + "}"));

    assertThat(token.room()).isEqualTo("team-a:*");
    assertThat(token.covers("team-a:standup")).isTrue();
    assertThat(token.covers("team-b:standup")).isFalse();
  }

  @Test
  void acceptsABareStarRoomClaim() {
    RoomToken token = verifier.verify(signed(HS256_HEADER,
        "{\"sub\":\"ada\",\"room\":\"*\",\"exp\":" + (NOW + 60) + "}"));

    assertThat(token.covers("anything")).isTrue();
  }

  @Test
  void acceptsAFractionalExpiry() {
    RoomToken token = verifier.verify(signed(HS256_HEADER,
        "{\"sub\":\"ada\",\"room\":\"r1\",\"exp\":" + (NOW + 60) + ".5}"));

    assertThat(token.expiresAt()).isEqualTo(Instant.ofEpochSecond(NOW + 60, 500_000_000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"JWT", "jwt", "Jwt"})
  void acceptsTypJwtInAnyCasing(String typ) {
    String jwt = signed("{\"alg\":\"HS256\",\"typ\":\"" + typ + "\"}", claims(""));

    assertThat(verifier.verify(jwt).subject()).isEqualTo("ada");
  }

  @Test
  void acceptsAHeaderWithoutTyp() {
    assertThat(verifier.verify(signed("{\"alg\":\"HS256\"}", claims(""))).subject()).isEqualTo("ada");
  }

  @Test
  void verifiesTheSignatureOverTheReceivedBytesNotReencodedJson() {
    // RFC 7515 appendix A.1: the header and payload contain CR LF and spaces, so the signature only
    // matches the bytes as sent. The example lacks sub and room, so getting as far as MISSING_CLAIM
    // proves the signature was accepted.
    byte[] key = Base64.getUrlDecoder().decode(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
    String jwt = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    RoomTokenVerifier rfc = new RoomTokenVerifier(key,
        Clock.fixed(Instant.ofEpochSecond(1_300_819_000L), ZoneOffset.UTC), Duration.ZERO);

    assertThatThrownBy(() -> rfc.verify(jwt))
        .isInstanceOfSatisfying(TokenRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_CLAIM));
  }

  // --- algorithm and header

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void rejectsAlgNoneInAnyCasing(String alg) {
    String unsigned = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims("")) + ".";

    assertThat(rejection(unsigned)).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rejectsAlgNoneEvenWithAValidHs256Signature() {
    String jwt = signed("{\"alg\":\"none\"}", claims(""));

    assertThat(rejection(jwt)).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS384", "HS512", "RS256", "ES256", "hs256", "HS256 ", ""})
  void rejectsEveryAlgorithmButHs256(String alg) {
    String jwt = signed("{\"alg\":\"" + alg + "\"}", claims(""));

    assertThat(rejection(jwt)).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"typ\":\"JWT\"}", "{\"alg\":null}", "{\"alg\":256}", "{\"alg\":[\"HS256\"]}"})
  void rejectsAHeaderWithoutAStringAlg(String header) {
    assertThat(rejection(signed(header, claims("")))).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"JWE\"", "\"at+jwt\"", "1"})
  void rejectsATypOtherThanJwt(String typ) {
    String jwt = signed("{\"alg\":\"HS256\",\"typ\":" + typ + "}", claims(""));

    assertThat(rejection(jwt)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsCriticalHeaderExtensions() {
    String jwt = signed("{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}", claims(""));

    assertThat(rejection(jwt)).isEqualTo(Reason.MALFORMED);
  }

  // --- signature

  @Test
  void rejectsATamperedPayload() {
    String[] parts = validToken().split("\\.");
    String forged = parts[0] + "." + b64(claims("").replace("\"r1\"", "\"r2\"")) + "." + parts[2];

    assertThat(rejection(forged)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsATamperedSignature() {
    String jwt = validToken();
    byte[] signature = Base64.getUrlDecoder().decode(jwt.substring(jwt.lastIndexOf('.') + 1));
    signature[0] ^= 1;
    String forged = jwt.substring(0, jwt.lastIndexOf('.') + 1) + b64(signature);

    assertThat(rejection(forged)).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsATokenSignedWithAnotherSecret() {
    byte[] other = "another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

    assertThat(rejection(signed(HS256_HEADER, claims(""), other))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsAnEmptySignature() {
    String jwt = validToken();

    assertThat(rejection(jwt.substring(0, jwt.lastIndexOf('.') + 1))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsATruncatedSignature() {
    String jwt = validToken();
    String signature = jwt.substring(jwt.lastIndexOf('.') + 1);
    byte[] shorter = java.util.Arrays.copyOf(Base64.getUrlDecoder().decode(signature), 16);

    assertThat(rejection(jwt.substring(0, jwt.lastIndexOf('.') + 1) + b64(shorter)))
        .isEqualTo(Reason.BAD_SIGNATURE);
  }

  // --- encoding and structure

  @Test
  void rejectsAPaddedSignature() {
    // 32 bytes encode to 43 characters, so standard padding adds exactly one '='.
    assertThat(rejection(validToken() + "=")).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsPaddedHeaderAndPayloadEvenWhenCorrectlySigned() {
    String header = Base64.getUrlEncoder().encodeToString(HS256_HEADER.getBytes(StandardCharsets.UTF_8));
    String payloadJson = claims("");
    while (b64(payloadJson).length() % 4 == 0) {
      payloadJson = payloadJson + " ";
    }
    String payload = Base64.getUrlEncoder().encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
    assertThat(header + payload).contains("=");

    assertThat(rejection(signedSegments(header, payload, SECRET))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsANonCanonicalSignatureEncoding() {
    // The 43rd character carries 4 signature bits and 2 unused bits; setting an unused bit gives a
    // string the JDK decodes to the same bytes. Refusing it keeps one spelling per token.
    String jwt = validToken();
    char last = jwt.charAt(jwt.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    String forged = jwt.substring(0, jwt.length() - 1) + sibling;
    assertThat(Base64.getUrlDecoder().decode(forged.substring(forged.lastIndexOf('.') + 1)))
        .isEqualTo(Base64.getUrlDecoder().decode(jwt.substring(jwt.lastIndexOf('.') + 1)));

    assertThat(rejection(forged)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsTheStandardBase64Alphabet() {
    String header = Base64.getEncoder().withoutPadding()
        .encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"x\":\"\u00ff\u00ff\u00ff\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(header).containsAnyOf("+", "/");

    assertThat(rejection(signedSegments(header, b64(claims("")), SECRET))).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "a.b", "a.b.c.d", "a.b.c.d.e", "..", "not a token at all"})
  void rejectsAnythingWithoutExactlyThreeBase64urlParts(String jwt) {
    assertThat(rejection(jwt)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsANullToken() {
    assertThat(rejection(null)).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[1,2]", "\"text\"", "null", "{\"sub\":", "{} {}", ""})
  void rejectsAPayloadThatIsNotAJsonObject(String payload) {
    assertThat(rejection(signed(HS256_HEADER, payload))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsAHeaderThatIsNotAJsonObject() {
    assertThat(rejection(signed("[\"HS256\"]", claims("")))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsAPayloadThatIsNotUtf8() {
    byte[] latin1 = claims(",\"name\":\"Zo\u00eb\"").getBytes(StandardCharsets.ISO_8859_1);
    String jwt = signedSegments(b64(HS256_HEADER), b64(latin1), SECRET);

    assertThat(rejection(jwt)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsATokenLongerThan4096CharactersBeforeDecodingIt() {
    // Garbage that would be MALFORMED if it were decoded at all.
    assertThat(rejection("!".repeat(RoomTokenVerifier.MAX_TOKEN_CHARS + 1))).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void rejectsAValidButOversizedToken() {
    String jwt = signed(HS256_HEADER, claims(",\"name\":\"" + "x".repeat(3100) + "\""));
    assertThat(jwt.length()).isGreaterThan(RoomTokenVerifier.MAX_TOKEN_CHARS);

    assertThat(rejection(jwt)).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void acceptsALargeTokenWithinTheLimit() {
    String jwt = signed(HS256_HEADER, claims(",\"name\":\"" + "x".repeat(2800) + "\""));
    assertThat(jwt.length()).isLessThanOrEqualTo(RoomTokenVerifier.MAX_TOKEN_CHARS);

    assertThat(verifier.verify(jwt).name()).hasSize(2800);
  }

  // --- time

  @Test
  void rejectsAnExpiredToken() {
    RoomTokenVerifier later = verifierAt(NOW + 3600 + LEEWAY.toSeconds());

    assertThatThrownBy(() -> later.verify(validToken()))
        .isInstanceOfSatisfying(TokenRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
  }

  @Test
  void acceptsTokenWithinLeewayAfterExpiry() {
    RoomTokenVerifier later = verifierAt(NOW + 3600 + LEEWAY.toSeconds() - 1);

    assertThat(later.verify(validToken()).subject()).isEqualTo("ada");
  }

  @Test
  void rejectsATokenBeforeItsNotBeforeTime() {
    String jwt = signed(HS256_HEADER, claims(",\"nbf\":" + (NOW + LEEWAY.toSeconds() + 1)));

    assertThat(rejection(jwt)).isEqualTo(Reason.NOT_YET_VALID);
  }

  @Test
  void acceptsTokenWithinLeewayBeforeNotBefore() {
    String jwt = signed(HS256_HEADER, claims(",\"nbf\":" + (NOW + LEEWAY.toSeconds())));

    assertThat(verifier.verify(jwt).notBefore()).isEqualTo(Instant.ofEpochSecond(NOW + 30));
  }

  @Test
  void withoutLeewayATokenExpiresAtExactlyItsExp() {
    RoomTokenVerifier strict = new RoomTokenVerifier(SECRET,
        Clock.fixed(Instant.ofEpochSecond(NOW + 3600), ZoneOffset.UTC), Duration.ZERO);

    assertThatThrownBy(() -> strict.verify(validToken()))
        .isInstanceOfSatisfying(TokenRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
  }

  @Test
  void rejectsAHugeExpWithoutOverflowing() {
    String jwt = signed(HS256_HEADER, "{\"sub\":\"ada\",\"room\":\"r1\",\"exp\":1e300}");

    assertThat(rejection(jwt)).isEqualTo(Reason.MALFORMED);
  }

  // --- claims

  @Test
  void rejectsATokenWithoutExp() {
    assertThat(rejection(signed(HS256_HEADER, "{\"sub\":\"ada\",\"room\":\"r1\"}")))
        .isEqualTo(Reason.MISSING_CLAIM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1900000000\"", "true", "{}"})
  void rejectsANonNumericExp(String exp) {
    assertThat(rejection(signed(HS256_HEADER, "{\"sub\":\"ada\",\"room\":\"r1\",\"exp\":" + exp + "}")))
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsANonNumericNbf() {
    assertThat(rejection(signed(HS256_HEADER, claims(",\"nbf\":\"soon\"")))).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"room\":\"r1\",\"exp\":1900000000}",
      "{\"sub\":\"\",\"room\":\"r1\",\"exp\":1900000000}",
      "{\"sub\":null,\"room\":\"r1\",\"exp\":1900000000}"})
  void rejectsATokenWithoutSubject(String payload) {
    assertThat(rejection(signed(HS256_HEADER, payload))).isEqualTo(Reason.MISSING_CLAIM);
  }

  @Test
  void rejectsATokenWithoutRoom() {
    assertThat(rejection(signed(HS256_HEADER, "{\"sub\":\"ada\",\"exp\":1900000000}")))
        .isEqualTo(Reason.MISSING_CLAIM);
  }

  @Test
  void rejectsANonStringSubject() {
    assertThat(rejection(signed(HS256_HEADER, "{\"sub\":42,\"room\":\"r1\",\"exp\":1900000000}")))
        .isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "a*b", "**", "*r1", "r1/evil", "r\u00e9"})
  void rejectsARoomClaimThatIsNotARoomIdOrPrefix(String room) {
    String jwt = signed(HS256_HEADER, "{\"sub\":\"ada\",\"room\":\"" + room + "\",\"exp\":1900000000}");

    assertThat(rejection(jwt)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsARoomClaimLongerThan128Characters() {
    String jwt = signed(HS256_HEADER,
        "{\"sub\":\"ada\",\"room\":\"" + "r".repeat(129) + "\",\"exp\":1900000000}");

    assertThat(rejection(jwt)).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "2.5", "\"8\"", "4294967296", "99999999999999999999999"})
  void rejectsACapacityThatIsNotAPositiveInteger(String capacity) {
    assertThat(rejection(signed(HS256_HEADER, claims(",\"capacity\":" + capacity))))
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsANonBooleanCanPublish() {
    assertThat(rejection(signed(HS256_HEADER, claims(",\"canPublish\":\"yes\"")))).isEqualTo(Reason.MALFORMED);
  }

  // --- messages

  @ParameterizedTest
  @ValueSource(strings = {"tampered", "none", "expired", "garbage-json", "large", "bad-room"})
  void rejectionMessagesNeverContainTheToken(String kind) {
    String jwt = switch (kind) {
      case "tampered" -> validToken().substring(0, validToken().length() - 2) + "AA";
      case "none" -> b64("{\"alg\":\"none\"}") + "." + b64(claims("")) + ".";
      case "expired" -> signed(HS256_HEADER, "{\"sub\":\"ada\",\"room\":\"r1\",\"exp\":1}");
      case "garbage-json" -> signed(HS256_HEADER, "{\"sub\":\"secret-subject\"");
      case "large" -> validToken() + "x".repeat(5000);
      default -> signed(HS256_HEADER, "{\"sub\":\"ada\",\"room\":\"evil room\",\"exp\":1900000000}");
    };

    TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class, () -> verifier.verify(jwt));

    assertThat(e.getMessage()).isNotBlank().doesNotContain(jwt.substring(0, 12));
    for (String part : jwt.split("\\.")) {
      if (part.length() >= 8) {
        assertThat(e.getMessage()).doesNotContain(part);
      }
    }
    assertThat(e.getMessage()).doesNotContain("secret-subject").doesNotContain("evil room");
    assertThat(e.getCause()).isNull();
  }

  // --- configuration

  @Test
  void refusesASecretShorterThan32Bytes() {
    Clock clock = Clock.systemUTC();
    byte[] shortSecret = "too-short".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> new RoomTokenVerifier(shortSecret, clock, LEEWAY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes")
        .hasMessageNotContaining("too-short");
  }

  @Test
  void refusesANegativeLeeway() {
    assertThatThrownBy(() -> new RoomTokenVerifier(SECRET, Clock.systemUTC(), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leeway");
  }
}
