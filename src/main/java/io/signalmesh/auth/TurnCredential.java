package io.signalmesh.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A short-lived TURN login for one client (TURN REST API scheme).
 *
 * @param username {@code <unix-expiry>:<clientId>}
 * @param credential base64 of HMAC-SHA1(turn secret, username)
 * @param expiresAt when the TURN server stops accepting it
 */
public record TurnCredential(String username, String credential, Instant expiresAt) {

  public TurnCredential {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
