package io.signalmesh.presence;

/** The presence backend did not answer (down, timed out): the client gets {@code unavailable}. */
public class PresenceUnavailableException extends RuntimeException {

  public PresenceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public PresenceUnavailableException(String message) {
    super(message);
  }
}
