package io.signalmesh.protocol;

/**
 * A request the server refuses, with the code and text the client gets in its {@code error}
 * frame. Thrown or failed anywhere below the session; mapped to a frame in one place.
 */
public class SignalingException extends RuntimeException {

  private final ErrorCode code;

  public SignalingException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
