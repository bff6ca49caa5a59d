package io.signalmesh.signaling;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.protocol.LeaveReason;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.Connection;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import io.signalmesh.session.SessionTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session from its first connection to its end: new or resumed on connect, kept for the
 * resume grace when its connection drops, ended at once on a normal close.
 */
public final class SessionLifecycle {

  /** Close code for a connection whose session resumed on a newer connection. */
  public static final short REPLACED = 4000;
  private static final Logger LOG = LoggerFactory.getLogger(SessionLifecycle.class);

  private final Vertx vertx;
  private final SessionRegistry sessions;
  private final SessionTokens tokens;
  private final RoomMembership membership;
  private final Function<ClientId, JsonArray> iceServers;
  private final Duration resumeGrace;
  private final int resumeInboxMessages;

  public SessionLifecycle(Vertx vertx, SessionRegistry sessions, SessionTokens tokens, RoomMembership membership,
      Function<ClientId, JsonArray> iceServers, Duration resumeGrace, int resumeInboxMessages) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.tokens = tokens;
    this.membership = membership;
    this.iceServers = iceServers;
    this.resumeGrace = resumeGrace;
    this.resumeInboxMessages = resumeInboxMessages;
  }

  /** Whether {@code resumeToken} names a session this node can resume (no new room token needed then). */
  public boolean canResume(String resumeToken) {
    Session session = sessions.byToken(resumeToken);
    return session != null && session.state() != Session.State.ENDED;
  }

  /**
   * A connection opened: resumes the session named by {@code resumeToken} while it is alive,
   * else starts a new one (a stale or unknown token gets a fresh session, {@code resumed}
   * absent, so the client knows to rejoin). Sends {@code connected} first either way. A
   * resumed session keeps the grant it started with.
   */
  public Session open(Connection connection, String resumeToken, RoomToken grant) {
    Session existing = sessions.byToken(resumeToken);
    if (existing != null) {
      Session.Attach attach = existing.attach(connection,
          ServerMessages.connected(existing.id(), existing.sessionToken(), iceServers.apply(existing.id()), true));
      if (attach.attached()) {
        if (attach.graceTimerId() >= 0) {
          vertx.cancelTimer(attach.graceTimerId());
        }
        if (attach.replaced() != null) {
          attach.replaced().close(REPLACED, "session resumed on another connection");
        }
        LOG.atInfo().addKeyValue("clientId", existing.id()).addKeyValue("remote", connection.remoteAddress())
            .addKeyValue("queued", attach.deliveredFromInbox()).addKeyValue("rooms", existing.rooms().size())
            .log("session resumed");
        return existing;
      }
    }
    Session session = new Session(ClientId.random(), tokens.next(), connection, resumeInboxMessages, grant);
    sessions.add(session);
    session.deliver(ServerMessages.connected(session.id(), session.sessionToken(), iceServers.apply(session.id()), false));
    LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("remote", connection.remoteAddress())
        .addKeyValue("resumeRequested", resumeToken != null).log("session started");
    return session;
  }

  /**
   * The session's connection closed. A final close (normal close by the client, or a close the
   * server made for a protocol violation) ends the session now; anything else keeps it for the
   * resume grace.
   */
  public void closed(Session session, Connection connection, boolean finalClose) {
    if (finalClose) {
      if (session.endIfOn(connection)) {
        finish(session, LeaveReason.LEFT);
      }
      return;
    }
    long graceMillis = Math.max(1, resumeGrace.toMillis());
    long timer = vertx.setTimer(graceMillis, id -> {
      if (session.endIfDetached()) {
        finish(session, LeaveReason.DISCONNECTED);
      }
    });
    if (session.detach(connection, timer)) {
      LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("graceSeconds", resumeGrace.toSeconds())
          .log("connection lost, waiting for resume");
    } else {
      vertx.cancelTimer(timer);
    }
  }

  /** Ends the session now: its peers are told and it leaves every room. */
  public Future<Void> end(Session session, LeaveReason reason) {
    return session.end() ? finish(session, reason) : Future.succeededFuture();
  }

  private Future<Void> finish(Session session, LeaveReason reason) {
    sessions.remove(session);
    LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("reason", reason.wireName())
        .addKeyValue("rooms", session.rooms().size()).log("session ended");
    return session.serially(() -> membership.leaveAll(session, reason));
  }
}
