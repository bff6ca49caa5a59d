package io.signalmesh.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand-made tokens for the verifier tests, signed with javax.crypto directly so that a bug shared
 * with the production encoder cannot hide itself.
 */
final class TestTokens {

  static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.UTF_8);
  static final String HS256_HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

  private TestTokens() {}

  static String b64(String json) {
    return b64(json.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String signed(String headerJson, String payloadJson) {
    return signed(headerJson, payloadJson, SECRET);
  }

  static String signed(String headerJson, String payloadJson, byte[] secret) {
    return signedSegments(b64(headerJson), b64(payloadJson), secret);
  }

  /** Signs the two segments exactly as given (they need not be valid base64url). */
  static String signedSegments(String header, String payload, byte[] secret) {
    String signingInput = header + "." + payload;
    return signingInput + "." + b64(hmacSha256(secret, signingInput));
  }

  static byte[] hmacSha256(byte[] secret, String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
