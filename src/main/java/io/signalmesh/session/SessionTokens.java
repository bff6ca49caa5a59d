package io.signalmesh.session;

import java.security.SecureRandom;
import java.util.Base64;

/** Opaque resume tokens: 256 random bits, URL-safe. Knowing one is being that client, so it is never logged. */
public final class SessionTokens {

  private final SecureRandom random = new SecureRandom();

  public String next() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
