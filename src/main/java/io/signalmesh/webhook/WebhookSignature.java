package io.signalmesh.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Signalmesh-Signature} header: {@code sha256=} and the lowercase hex HMAC-SHA256 of
 * the exact body bytes under {@code --webhook-secret}. Holds the key; never prints it.
 */
public final class WebhookSignature {

  /** The header carrying the signature. */
  public static final String HEADER = "X-Signalmesh-Signature";
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  public WebhookSignature(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  /** The header value for {@code body}. */
  public String sign(byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSignature[key=***]";
  }
}
