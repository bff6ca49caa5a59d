package io.signalmesh.signaling;

import io.signalmesh.config.SessionLimits;
import io.signalmesh.protocol.Envelope;
import io.signalmesh.protocol.EnvelopeParser;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.protocol.LeaveReason;
import io.signalmesh.protocol.MessageType;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.protocol.SignalingException;
import io.signalmesh.routing.MeshRouter;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;
import io.signalmesh.session.TokenBucket;
import io.signalmesh.presence.Member;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the server does with each message a client sends: parse and validate once, then one
 * small step per type. Refusals become {@code error} frames through {@link ErrorReplies}.
 */
public final class ClientMessages {

  private final EnvelopeParser parser;
  private final MeshRouter router;
  private final RoomMembership membership;
  private final RoomAccess access;
  private final SessionLimits limits;
  private final SignalingMetrics metrics;
  private final ErrorReplies errors;

  public ClientMessages(EnvelopeParser parser, MeshRouter router, RoomMembership membership, RoomAccess access,
      SessionLimits limits, SignalingMetrics metrics) {
    this.metrics = metrics;
    this.errors = new ErrorReplies(metrics);
    this.parser = parser;
    this.router = router;
    this.membership = membership;
    this.access = access;
    this.limits = limits;
  }

  /** Handles one text message from the session's current connection. */
  public void handle(Session session, String text) {
    handle(session, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Handles one text message, as the UTF-8 bytes it came in (not copied: they must not change afterwards). */
  public void handle(Session session, byte[] utf8) {
    handle(session, utf8, null);
  }

  /**
   * Handles one text message; a join takes a token from {@code joins}, the connection's join rate
   * limit (none if null), and is dropped with {@code rate-limited} when there is none.
   */
  public void handle(Session session, byte[] utf8, TokenBucket joins) {
    long arrived = System.nanoTime();
    Envelope envelope;
    try {
      envelope = parser.parse(utf8);
    } catch (SignalingException e) {
      errors.reply(session, e, EnvelopeParser.typeOf(utf8));
      return;
    }
    String ref = envelope.type().wireName();
    try {
      switch (envelope.type()) {
        case JOIN_ROOM -> {
          if (joins == null || joins.tryTake(arrived)) {
            join(session, envelope, ref);
          } else {
            metrics.error(ErrorCode.RATE_LIMITED);
            session.deliver(ServerMessages.error(ErrorCode.RATE_LIMITED,
                "more than " + joins.ratePerSecond() + " joins per second: join dropped", ref));
          }
        }
        case LEAVE_ROOM -> leave(session, envelope, ref);
        case OFFER, ANSWER, ICE_CANDIDATE, END_CALL -> {
          ClientId target = envelope.targetId();
          boolean remote = router.relay(session, target, ServerMessages.relayedUtf8(envelope.relay(), session.id()));
          metrics.relayed(envelope.type(), remote, System.nanoTime() - arrived);
        }
        case BROADCAST -> {
          broadcast(session, envelope);
          metrics.relayed(MessageType.BROADCAST, false, System.nanoTime() - arrived);
        }
        case GET_PEERS -> session.deliver(ServerMessages.peersList(peerIds(session)));
        case PING -> session.deliver(ServerMessages.pong());
      }
    } catch (RuntimeException e) {
      errors.reply(session, e, ref);
    }
  }

  private void join(Session session, Envelope envelope, String ref) {
    RoomId room = envelope.roomId();
    int capacity = access.capacityFor(session, room, limits.roomCapacity());
    session.serially(() -> membership.join(session, room, envelope.name(), envelope.metadata(), capacity,
            limits.maxRoomsPerClient()))
        .onFailure(failure -> errors.reply(session, failure, ref));
  }

  private void leave(Session session, Envelope envelope, String ref) {
    RoomId room = envelope.roomId();
    session.serially(() -> membership.leave(session, room, LeaveReason.LEFT))
        .onFailure(failure -> errors.reply(session, failure, ref));
  }

  private void broadcast(Session session, Envelope envelope) {
    RoomId room = envelope.roomId();
    if (!session.rooms().contains(room)) {
      throw new SignalingException(ErrorCode.NOT_IN_ROOM, "you are not in room " + room);
    }
    router.toRoom(room, ServerMessages.broadcast(room, session.id(), envelope.data()), session.id());
  }

  private List<ClientId> peerIds(Session session) {
    List<ClientId> ids = new ArrayList<>();
    for (Member peer : router.peersOf(session)) {
      ids.add(peer.clientId());
    }
    return ids;
  }
}
