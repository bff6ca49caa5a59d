package io.signalmesh.gateway;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.auth.RoomTokenVerifier;
import io.signalmesh.auth.TokenRejectedException;

/**
 * Who may open a session. Open mode admits everyone; token mode needs a valid room token in
 * the {@code token} query parameter. A resume needs no new token: the session keeps its grant.
 */
public final class Admission {

  private final RoomTokenVerifier verifier;

  /** @param verifier null for open mode */
  public Admission(RoomTokenVerifier verifier) {
    this.verifier = verifier;
  }

  public boolean tokenMode() {
    return verifier != null;
  }

  /**
   * The grant for a new session: null in open mode.
   *
   * @throws TokenRejectedException if token mode is on and the token is missing or invalid
   */
  public RoomToken grantFor(String token) {
    if (verifier == null) {
      return null;
    }
    if (token == null || token.isEmpty()) {
      throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED, "a room token is required");
    }
    return verifier.verify(token);
  }
}
