package io.signalmesh.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 and unpadded base64url, shared so that the issuer and the verifier agree byte for byte. */
final class Hs256 {

  /** RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output. */
  static final int MIN_SECRET_BYTES = 32;

  private static final String MAC_ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Hs256() {}

  static SecretKeySpec key(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "token secret must be at least " + MIN_SECRET_BYTES + " bytes (HS256 needs a key as long as its hash)");
    }
    // SecretKeySpec copies the array, so later changes by the caller do not change the key.
    return new SecretKeySpec(secret, MAC_ALGORITHM);
  }

  /** The signature of {@code signingInput}, which is ASCII (two base64url segments and a dot). */
  static byte[] sign(SecretKeySpec key, String signingInput) {
    try {
      // A new Mac per call: Mac is not thread-safe and one verifier serves every event loop.
      Mac mac = Mac.getInstance(MAC_ALGORITHM);
      mac.init(key);
      return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  /**
   * Decodes one segment of a compact JWS, or returns null unless it is canonical unpadded
   * base64url (RFC 7515 section 2). The JDK decoder also takes padding and ignores stray low bits
   * in the last character; refusing both means a token has exactly one spelling.
   */
  static byte[] decodeStrict(String segment) {
    if (segment.length() % 4 == 1) {
      return null;
    }
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_';
      if (!alphabet) {
        return null;
      }
    }
    byte[] bytes = DECODER.decode(segment);
    return ENCODER.encodeToString(bytes).equals(segment) ? bytes : null;
  }
}
