package io.signalmesh.signaling;

import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.presence.PresenceUnavailableException;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.protocol.SignalingException;
import io.signalmesh.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where a failure becomes the {@code error} frame a client gets, and a log line. */
public final class ErrorReplies {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

  private final SignalingMetrics metrics;

  public ErrorReplies(SignalingMetrics metrics) {
    this.metrics = metrics;
  }

  public static SignalingException toSignaling(Throwable failure) {
    if (failure instanceof SignalingException signaling) {
      return signaling;
    }
    if (failure instanceof PresenceUnavailableException) {
      return new SignalingException(ErrorCode.UNAVAILABLE, "presence store unavailable, try again shortly");
    }
    return new SignalingException(ErrorCode.INTERNAL, "internal error");
  }

  /** Sends the error for {@code failure} to the session; unexpected failures are logged with their stack. */
  public void reply(Session session, Throwable failure, String ref) {
    SignalingException error = toSignaling(failure);
    if (error.code() == ErrorCode.INTERNAL) {
      LOG.atError().addKeyValue("clientId", session.id()).addKeyValue("ref", ref).setCause(failure)
          .log("internal error handling a message");
    } else {
      LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("code", error.code().wireName())
          .addKeyValue("ref", ref).log(error.getMessage());
    }
    metrics.error(error.code());
    session.deliver(ServerMessages.error(error.code(), error.getMessage(), ref));
  }
}
