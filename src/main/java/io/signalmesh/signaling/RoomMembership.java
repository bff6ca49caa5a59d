package io.signalmesh.signaling;

import io.signalmesh.presence.JoinResult;
import io.signalmesh.presence.Member;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.protocol.LeaveReason;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.protocol.SignalingException;
import io.signalmesh.routing.MeshRouter;
import io.signalmesh.routing.RoomViews;
import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;
import io.signalmesh.webhook.WebhookEvents;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joining and leaving rooms: the presence store first (the truth other nodes read), then this
 * node's room view, then the announcement to the room. Callers run a session's operations
 * through {@link Session#serially} so they apply in the order the client sent them.
 */
public final class RoomMembership {

  private static final Logger LOG = LoggerFactory.getLogger(RoomMembership.class);

  private final PresenceStore presence;
  private final RoomViews views;
  private final MeshRouter router;
  private final Clock clock;
  private final SessionRecords records;
  private final WebhookEvents events;

  public RoomMembership(PresenceStore presence, RoomViews views, MeshRouter router, Clock clock, SessionRecords records,
      WebhookEvents events) {
    this.events = events;
    this.presence = presence;
    this.views = views;
    this.router = router;
    this.clock = clock;
    this.records = records;
  }

  /**
   * Puts the session in the room, sends it {@code room-participants} and tells the others.
   * Fails with {@code room-full}, {@code forbidden} (too many rooms) or {@code unavailable}.
   */
  public Future<Void> join(Session session, RoomId room, String name, JsonObject metadata, int capacity, int maxRooms) {
    if (!session.rooms().contains(room) && session.rooms().size() >= maxRooms) {
      return Future.failedFuture(new SignalingException(ErrorCode.FORBIDDEN,
          "a connection may be in at most " + maxRooms + " rooms"));
    }
    Member self = new Member(session.id(), router.nodeId(), name, metadata, clock.millis());
    return presence.join(room, self, capacity, events.joined(room, self)).compose(result -> {
      if (result instanceof JoinResult.Full full) {
        return Future.failedFuture(new SignalingException(ErrorCode.ROOM_FULL,
            "room " + room + " is full (" + full.capacity() + " participants)"));
      }
      JoinResult.Joined joined = (JoinResult.Joined) result;
      if (session.state() == Session.State.ENDED) {
        // the connection ended while the join was in flight: do not leave a ghost behind
        return presence.leave(room, session.id(), events.left(room, session.id(), router.nodeId(), LeaveReason.LEFT))
            .mapEmpty();
      }
      session.rooms().add(room);
      records.save(session);
      views.localJoin(room, self, joined.others());
      session.deliver(ServerMessages.roomParticipants(room, joined.others()));
      if (!joined.rejoined()) {
        router.announceJoin(room, self, ServerMessages.participantJoined(room, self));
        LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("room", room)
            .addKeyValue("participants", joined.others().size() + 1).log("joined room");
      }
      return Future.<Void>succeededFuture();
    });
  }

  /** Takes the session out of the room and tells the others why. Fails with {@code not-in-room}. */
  public Future<Void> leave(Session session, RoomId room, LeaveReason reason) {
    if (!session.rooms().contains(room)) {
      return Future.failedFuture(new SignalingException(ErrorCode.NOT_IN_ROOM, "you are not in room " + room));
    }
    return presence.leave(room, session.id(), events.left(room, session.id(), router.nodeId(), reason))
        .recover(failure -> {
          // leaving must work while the store is down; re-assertion drops the stale entry later
          LOG.atWarn().addKeyValue("clientId", session.id()).addKeyValue("room", room)
              .addKeyValue("error", failure.getMessage()).log("presence leave failed; left locally");
          return Future.succeededFuture(true);
        })
        .map(ignored -> {
          session.rooms().remove(room);
          if (session.state() != Session.State.ENDED) {
            records.save(session);
          }
          // the view drops the leaver before anyone hears of it, so nothing sent in answer reaches it
          List<Member> recipients = List.copyOf(views.members(room));
          views.left(room, session.id());
          router.announceLeave(room, session.id(), ServerMessages.participantLeft(room, session.id(), reason), recipients);
          LOG.atInfo().addKeyValue("clientId", session.id()).addKeyValue("room", room)
              .addKeyValue("reason", reason.wireName()).log("left room");
          return null;
        });
  }

  /**
   * Takes over the rooms of a session that resumed here from another node: presence and the
   * other nodes' views now name this node; the room's clients are told nothing (they see no
   * leave and no join). Rooms where the member is gone (reaped meanwhile) are dropped.
   */
  public Future<Void> adopt(Session session, List<RoomId> rooms) {
    List<Future<Void>> adopted = new ArrayList<>();
    for (RoomId room : rooms) {
      adopted.add(presence.members(room).compose(members -> {
        Member previous = members.stream().filter(m -> m.clientId().equals(session.id())).findFirst().orElse(null);
        if (previous == null) {
          return Future.succeededFuture();
        }
        Member self = previous.onNode(router.nodeId());
        // announces nothing unless the member was reaped meanwhile: then it is back, and joined again
        return presence.join(room, self, Integer.MAX_VALUE, events.joined(room, self)).map(result -> {
          if (result instanceof JoinResult.Joined joined) {
            session.rooms().add(room);
            views.localJoin(room, self, joined.others());
            router.announceMove(room, self);
          }
          return null;
        });
      }));
    }
    return Future.join(adopted).eventually(() -> {
      records.save(session);
      return Future.succeededFuture();
    }).mapEmpty();
  }

  /**
   * Takes the session out of a room an operator closed: it gets {@code room-closed}; the others
   * are told nothing (they are being removed too).
   */
  public Future<Void> closeFor(Session session, RoomId room, String reason) {
    if (!session.rooms().remove(room)) {
      return Future.succeededFuture();
    }
    views.left(room, session.id());
    records.save(session);
    session.deliver(ServerMessages.roomClosed(room, reason));
    return presence.leave(room, session.id(), events.closed(room, session.id(), router.nodeId())).otherwise(false).mapEmpty();
  }

  /**
   * The session is no longer this node's (it was given up, and resumes elsewhere): this node's
   * views forget it; presence and the other nodes are left as they are.
   */
  public void forgetLocally(Session session) {
    for (RoomId room : List.copyOf(session.rooms())) {
      views.left(room, session.id());
    }
  }

  /** The session is gone: its peers get {@code peer-disconnected}, then it leaves every room. */
  public Future<Void> leaveAll(Session session, LeaveReason reason) {
    Set<Member> peers = router.peersOf(session);
    router.toMembers(peers, ServerMessages.peerDisconnected(session.id()), session.id());
    List<Future<Void>> leaves = new ArrayList<>();
    for (RoomId room : List.copyOf(session.rooms())) {
      leaves.add(leave(session, room, reason));
    }
    return Future.join(leaves).mapEmpty();
  }
}
