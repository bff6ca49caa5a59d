package io.signalmesh.signaling;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.NodeDirectory.SessionRecord;
import io.signalmesh.protocol.CloseCodes;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.protocol.LeaveReason;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.routing.NodeInbox;
import io.signalmesh.routing.ParkedFrames;
import io.signalmesh.routing.SessionForwards;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.Connection;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import io.signalmesh.session.SessionTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session from its first connection to its end: new or resumed on connect (on this node, or
 * taken over from the node it was on), kept for the resume grace when its connection drops,
 * ended at once on a normal close.
 */
public final class SessionLifecycle {

  /** Close code for a connection whose session resumed on a newer connection. */
  public static final short REPLACED = 4000;
  /** How long a handover request waits for the previous node before taking the session over from the directory alone. */
  private static final long HANDOVER_TIMEOUT_MILLIS = 2000;
  /** Frames parked while other nodes' views still named the dead node are collected once more after this. */
  private static final long LATE_PARKED_DELAY_MILLIS = 2000;
  private static final Logger LOG = LoggerFactory.getLogger(SessionLifecycle.class);

  /** Collaborators a lifecycle needs to hand sessions between nodes. */
  public record Mesh(String nodeId, NodeDirectory directory, NodeInbox inbox, ParkedFrames parked,
      SessionForwards forwards, SessionRecords records, SignalingMetrics metrics) {}

  private final Vertx vertx;
  private final SessionRegistry sessions;
  private final SessionTokens tokens;
  private final RoomMembership membership;
  private final Function<ClientId, JsonArray> iceServers;
  private final Duration resumeGrace;
  private final int resumeInboxMessages;
  private final TokenExpiry expiry;
  private final Mesh mesh;

  public SessionLifecycle(Vertx vertx, SessionRegistry sessions, SessionTokens tokens, RoomMembership membership,
      Function<ClientId, JsonArray> iceServers, Duration resumeGrace, int resumeInboxMessages, TokenExpiry expiry,
      Mesh mesh) {
    this.expiry = expiry;
    this.vertx = vertx;
    this.sessions = sessions;
    this.tokens = tokens;
    this.membership = membership;
    this.iceServers = iceServers;
    this.resumeGrace = resumeGrace;
    this.resumeInboxMessages = resumeInboxMessages;
    this.mesh = mesh;
  }

  /** Whether {@code resumeToken} names a session this node holds (no new room token needed then). */
  public boolean canResume(String resumeToken) {
    Session session = sessions.byToken(resumeToken);
    return session != null && session.state() != Session.State.ENDED;
  }

  /**
   * A connection opened: resumes the session named by {@code resumeToken} while it is alive,
   * here or on another node; else starts a new one (a stale or unknown token gets a fresh
   * session, {@code resumed} absent, so the client knows to rejoin). Sends {@code connected}
   * first either way. A resumed session keeps its rooms and its grant.
   */
  public Future<Session> open(Connection connection, String resumeToken, RoomToken grant) {
    Session local = sessions.byToken(resumeToken);
    if (local != null && resumeHere(local, connection)) {
      return Future.succeededFuture(local);
    }
    if (resumeToken == null) {
      return Future.succeededFuture(start(connection, grant, false));
    }
    return mesh.directory().findSession(resumeToken)
        .recover(unavailable -> {
          LOG.atWarn().addKeyValue("error", unavailable.getMessage()).log("session directory unavailable; starting a new session");
          return Future.succeededFuture(null);
        })
        // a record naming this node that it does not hold: a session it gave up when it was cut off
        .compose(record -> record == null
            ? Future.succeededFuture(start(connection, grant, true))
            : takeOver(record, resumeToken, connection));
  }

  private boolean resumeHere(Session session, Connection connection) {
    Session.Attach attach = session.attach(connection,
        ServerMessages.connected(session.id(), session.sessionToken(), iceServers.apply(session.id()), true));
    if (!attach.attached()) {
      return false;
    }
    if (attach.graceTimerId() >= 0) {
      vertx.cancelTimer(attach.graceTimerId());
    }
    if (attach.replaced() != null) {
      attach.replaced().close(REPLACED, "session resumed on another connection");
    }
    mesh.metrics().resumed(false);
    LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("remote", connection.remoteAddress())
        .addKeyValue("queued", attach.deliveredFromInbox()).addKeyValue("rooms", session.rooms().size())
        .log("session resumed");
    return true;
  }

  private Session start(Connection connection, RoomToken grant, boolean resumeRequested) {
    Session session = new Session(ClientId.random(), tokens.next(), connection, resumeInboxMessages, grant);
    sessions.add(session);
    session.deliver(ServerMessages.connected(session.id(), session.sessionToken(), iceServers.apply(session.id()), false));
    mesh.records().save(session);
    expiry.watch(session, this::expire);
    mesh.metrics().sessionStarted();
    LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("remote", connection.remoteAddress())
        .addKeyValue("resumeRequested", resumeRequested).log("session started");
    return session;
  }

  /**
   * The client resumed here but its session lives on (or died with) another node: that node
   * hands it over with what it kept; if it does not answer, the session is taken from the
   * directory alone, with the frames parked for it.
   */
  private Future<Session> takeOver(SessionRecord record, String resumeToken, Connection connection) {
    Session session = Session.resumed(record.clientId(), resumeToken, resumeInboxMessages, record.grant());
    // registered before asking, so frames the previous node forwards after its answer queue here
    mesh.forwards().clear(record.clientId());
    sessions.add(session);
    Future<List<String>> handover = record.nodeId().equals(mesh.nodeId())
        ? Future.succeededFuture(List.of())
        : mesh.inbox().requestHandover(record.nodeId(), record.clientId(), mesh.nodeId(), HANDOVER_TIMEOUT_MILLIS);
    return handover
        .recover(unreachable -> {
          LOG.atInfo().addKeyValue("clientId", record.clientId()).addKeyValue("previousNode", record.nodeId())
              .addKeyValue("error", unreachable.getMessage()).log("previous node did not hand over; taking the session from the directory");
          return Future.succeededFuture(List.of());
        })
        .compose(handedOver -> {
          return membership.adopt(session, record.rooms())
              .compose(adopted -> mesh.parked().take(record.clientId()).otherwise(List.of()))
              .map(parked -> {
                session.prepend(parked);
                session.prepend(handedOver);
                return handedOver.size() + parked.size();
              });
        })
        .map(kept -> {
          Session.Attach attach = session.attach(connection,
              ServerMessages.connected(session.id(), resumeToken, iceServers.apply(session.id()), true));
          LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("previousNode", record.nodeId())
              .addKeyValue("queued", attach.deliveredFromInbox()).addKeyValue("rooms", session.rooms().size())
              .log("session resumed from another node");
          mesh.metrics().resumed(true);
          expiry.watch(session, this::expire);
          vertx.setTimer(LATE_PARKED_DELAY_MILLIS, id -> mesh.parked().take(session.id())
              .onSuccess(late -> late.forEach(session::deliver)));
          return session;
        });
  }

  /** The session's room token ran out: it is told so, closed, and leaves its rooms. */
  private void expire(Session session) {
    Connection connection = session.connection();
    if (!session.end()) {
      return;
    }
    if (connection != null) {
      connection.send(ServerMessages.error(ErrorCode.UNAUTHORIZED, "your room token expired", null));
      connection.close(CloseCodes.UNAUTHORIZED, "token expired");
    }
    LOG.atInfo().addKeyValue("clientId", session.id()).log("room token expired");
    finish(session, LeaveReason.LEFT);
  }

  /** Another node took this node's session over: it ends here without leaving its rooms. */
  public List<String> handOver(ClientId client, String newNode) {
    Session session = sessions.get(client);
    Session.HandOff handOff = session == null ? null : session.handOff();
    if (handOff == null) {
      return null;
    }
    sessions.remove(session);
    expiry.forget(session);
    mesh.forwards().moved(client, newNode);
    if (handOff.graceTimerId() >= 0) {
      vertx.cancelTimer(handOff.graceTimerId());
    }
    if (handOff.connection() != null) {
      handOff.connection().close(REPLACED, "session resumed on another node");
    }
    LOG.atInfo().addKeyValue("clientId", client).addKeyValue("newNode", newNode)
        .addKeyValue("queued", handOff.frames().size()).log("session handed over");
    return handOff.frames();
  }

  /**
   * This node was cut off from the mesh: every session is given up here, without leaving its
   * rooms (the other nodes hold them for the grace); a connected client gets {@code reconnect}
   * and a 1012 close, and resumes on another node through the load balancer. Frames queued for
   * a client that was already disconnected are lost with the session. Returns how many were
   * given up.
   */
  public int releaseAll(String reason) {
    int released = 0;
    for (Session session : List.copyOf(sessions.all())) {
      Session.HandOff handOff = session.handOff();
      if (handOff == null) {
        continue;
      }
      sessions.remove(session);
      if (handOff.graceTimerId() >= 0) {
        vertx.cancelTimer(handOff.graceTimerId());
      }
      membership.forgetLocally(session);
      if (handOff.connection() != null) {
        handOff.connection().send(ServerMessages.reconnect(reason));
        handOff.connection().close(CloseCodes.SERVICE_RESTART, reason);
      }
      released++;
    }
    LOG.atWarn().addKeyValue("node", mesh.nodeId()).addKeyValue("sessions", released).addKeyValue("reason", reason)
        .log("sessions given up; their clients resume on other nodes");
    return released;
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
    expiry.forget(session);
    mesh.records().delete(session);
    LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("reason", reason.wireName())
        .addKeyValue("rooms", session.rooms().size()).log("session ended");
    return session.serially(() -> membership.leaveAll(session, reason));
  }
}
