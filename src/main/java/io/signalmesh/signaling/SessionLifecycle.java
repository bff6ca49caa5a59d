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
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
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
  /** Every node acts on a death declaration at its next liveness check (each second): then all is parked. */
  private static final long PARKED_AFTER_DECLARATION_MILLIS = 2500;
  /** A previous node that neither answers nor is declared dead is asked again this often... */
  private static final long SETTLE_POLL_MILLIS = 500;
  /** ...for at most this long (past the liveness TTL and a check, a dead node is declared). */
  private static final long SETTLE_LIMIT_MILLIS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(SessionLifecycle.class);

  /** Collaborators a lifecycle needs to hand sessions between nodes. */
  public record Mesh(String nodeId, NodeDirectory directory, NodeInbox inbox, ParkedFrames parked,
      SessionForwards forwards, SessionRecords records, SignalingMetrics metrics) {}

  private final Vertx vertx;
  private final SessionRegistry sessions;
  private final SessionTokens tokens;
  private final RoomMembership membership;
  private final Function<ClientId, String> iceServers;
  private final Duration resumeGrace;
  private final int resumeInboxMessages;
  private final TokenExpiry expiry;
  private final Mesh mesh;
  /** Answers a previous node's repeated handover request: its first answer may have come too late. */
  private final RecentHandovers handedOver = new RecentHandovers(SETTLE_LIMIT_MILLIS + 2 * HANDOVER_TIMEOUT_MILLIS);

  public SessionLifecycle(Vertx vertx, SessionRegistry sessions, SessionTokens tokens, RoomMembership membership,
      Function<ClientId, String> iceServers, Duration resumeGrace, int resumeInboxMessages, TokenExpiry expiry,
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
   * hands it over with what it kept. If it does not (it died, or it was declared dead and
   * fenced), the session is taken from the directory and the client is attached at once, but
   * what others sent it meanwhile reaches it only once that node is declared dead and every
   * sender has parked what the node had not confirmed: those frames go first, in order.
   */
  private Future<Session> takeOver(SessionRecord record, String resumeToken, Connection connection) {
    Session session = Session.resumed(record.clientId(), resumeToken, resumeInboxMessages, record.grant());
    // registered before asking, so frames the previous node forwards after its answer queue here
    mesh.forwards().clear(record.clientId());
    handedOver.forget(record.clientId());
    sessions.add(session);
    return askHandover(record, HANDOVER_TIMEOUT_MILLIS, true)
        .compose(handover -> membership.adopt(session, record.rooms()).map(handover))
        .compose(handover -> {
          String greeting = ServerMessages.connected(session.id(), resumeToken, iceServers.apply(session.id()), true);
          if (handover.frames() == null) {
            session.attachHeld(connection, greeting);
            long deadline = System.nanoTime() + SETTLE_LIMIT_MILLIS * 1_000_000;
            settle(record, handover.answered(), deadline).onComplete(earlier -> {
              int released = session.release(earlier.succeeded() ? earlier.result() : List.of());
              LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("previousNode", record.nodeId())
                  .addKeyValue("delivered", released).log("frames from before the resume handed on");
            });
            return Future.succeededFuture(0);
          }
          return mesh.parked().take(record.clientId()).otherwise(List.of()).map(parked -> {
            session.prepend(parked);
            session.prepend(handover.frames());
            int kept = session.attach(connection, greeting).deliveredFromInbox();
            vertx.setTimer(LATE_PARKED_DELAY_MILLIS, id -> mesh.parked().take(session.id())
                .onSuccess(late -> late.forEach(session::deliver)));
            return kept;
          });
        })
        .map(kept -> {
          LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("previousNode", record.nodeId())
              .addKeyValue("queued", kept).addKeyValue("rooms", session.rooms().size())
              .log("session resumed from another node");
          mesh.metrics().resumed(true);
          expiry.watch(session, this::expire);
          return session;
        });
  }

  /** What the previous node answered: the frames it kept (null if it did not hand over), and whether it answered at all. */
  private record Handover(List<String> frames, boolean answered) {}

  /** @param first the request of the resume itself (logged), not one of the polls while settling (debug only: one every 500 ms) */
  private Future<Handover> askHandover(SessionRecord record, long timeoutMillis, boolean first) {
    if (record.nodeId().equals(mesh.nodeId())) {
      // a session this node gave up (cut off, or fenced) and no longer holds: nothing to hand over
      return Future.succeededFuture(new Handover(List.of(), true));
    }
    return mesh.inbox().requestHandover(record.nodeId(), record.clientId(), mesh.nodeId(), timeoutMillis)
        .map(frames -> new Handover(frames, true))
        .recover(failure -> {
          // 404: the node is up but does not hold the session (fenced, restarted, or handed it on already)
          boolean answered = failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE;
          (first ? LOG.atInfo() : LOG.atDebug()).addKeyValue("clientId", record.clientId())
              .addKeyValue("previousNode", record.nodeId()).addKeyValue("error", failure.getMessage())
              .log(first ? "previous node did not hand over; taking the session from the directory"
                  : "previous node still does not hand over; waiting for it or for its death declaration");
          return Future.succeededFuture(new Handover(null, answered));
        });
  }

  /**
   * The frames sent to the client before it resumed here and not delivered by its previous
   * node, in order, once they are all known: right away if that node is up and simply does not
   * hold the session; once it is declared dead and every node parked what it held; or from the
   * node itself if it answers after all (it was only slow).
   */
  private Future<List<String>> settle(SessionRecord record, boolean answered, long deadline) {
    ClientId client = record.clientId();
    return mesh.directory().isDeclaredDead(record.nodeId()).otherwise(false).compose(dead -> {
      if (dead) {
        return after(PARKED_AFTER_DECLARATION_MILLIS).compose(ignored -> mesh.parked().take(client));
      }
      if (answered || System.nanoTime() - deadline > 0) {
        return mesh.parked().take(client);
      }
      return after(SETTLE_POLL_MILLIS)
          .compose(ignored -> askHandover(record, SETTLE_POLL_MILLIS * 2, false))
          .compose(handover -> handover.frames() == null
              ? settle(record, handover.answered(), deadline)
              : mesh.parked().take(client).otherwise(List.of()).map(parked -> {
                List<String> earlier = new java.util.ArrayList<>(handover.frames());
                earlier.addAll(parked);
                return earlier;
              }));
    });
  }

  private Future<Void> after(long millis) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    vertx.setTimer(millis, id -> done.complete());
    return done.future();
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

  /**
   * Another node took this node's session over: it ends here without leaving its rooms. A
   * repeated request from the same node (it gave up waiting for the first answer) gets the same
   * frames again; it takes whichever answer reaches it in time, once.
   */
  public List<String> handOver(ClientId client, String newNode) {
    Session session = sessions.get(client);
    Session.HandOff handOff = session == null ? null : session.handOff();
    if (handOff == null) {
      List<String> again = handedOver.again(client, newNode);
      if (again != null) {
        LOG.atInfo().addKeyValue("clientId", client).addKeyValue("newNode", newNode)
            .addKeyValue("queued", again.size()).log("session handed over again: the first answer came too late");
      }
      return again;
    }
    handedOver.handed(client, newNode, handOff.frames());
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
      expiry.forget(session);
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
