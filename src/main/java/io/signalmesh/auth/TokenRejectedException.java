package io.signalmesh.auth;

import java.util.Objects;

/**
 * A room token was refused. The message is fixed text written here, never built from the token
 * or from what it decodes to, so it is safe to log and to send back in an error frame.
 */
public final class TokenRejectedException extends RuntimeException {

  /** Why a token was refused, for metrics and tests; clients all get the same {@code unauthorized}. */
  public enum Reason {
    MALFORMED,
    BAD_SIGNATURE,
    UNSUPPORTED_ALGORITHM,
    EXPIRED,
    NOT_YET_VALID,
    MISSING_CLAIM,
    TOO_LARGE
  }

  private final Reason reason;

  public TokenRejectedException(Reason reason, String message) {
    // No cause and no stack trace: anyone can send bad tokens, so refusing one must be cheap,
    // and a parser's cause message could quote the decoded token.
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
