package io.signalmesh.cluster;

import io.signalmesh.presence.ChunkedCalls;
import io.signalmesh.presence.Member;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.presence.PresenceStore.NodeMembership;
import io.signalmesh.routing.RoomViews;
import io.signalmesh.routing.SessionForwards;
import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import io.signalmesh.signaling.SessionRecords;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Makes the presence store agree with what this node holds, after the store lost data or was
 * unreachable: a failover may have promoted a replica without the latest joins and leaves, and
 * leaves made while Redis was down were applied only locally.
 *
 * <ol>
 *   <li>Writes back each live session's record and memberships, as this node's room views know
 *       them (idempotent, capacity ignored: these members are in their rooms already).</li>
 *   <li>Removes what the store says this node holds but no session here does: the member left
 *       (or its session ended) while the store could not be told.</li>
 * </ol>
 *
 * Each session's part runs through {@link Session#serially}, after the room operations it has
 * in flight, so a write-back never re-creates a membership that a concurrent leave removed, and
 * a removal never undoes a concurrent join. A session that is waiting to be resumed, or that
 * moved to another node lately, is left alone. Sessions are handled a few at a time, so that a
 * busy node does not flood the Redis client's queue.
 *
 * <p>While a give-up of the node's sessions is pending ({@link SessionsGiveUp#pending}: cut off,
 * or fenced), memberships no session holds are not removed here: they belong to sessions the
 * node gave up, whose peers have not been told; they are reaped with their leaves announced,
 * once the grace for resuming elsewhere has passed. Removing them silently would leave ghosts
 * in the peers' rooms.
 */
public final class PresenceReassertion {

  /** Sessions (and stale memberships) handled at once. */
  private static final int CONCURRENCY = 16;

  private final String nodeId;
  private final SessionRegistry sessions;
  private final RoomViews views;
  private final PresenceStore presence;
  private final SessionRecords records;
  private final SessionForwards forwards;
  private final BooleanSupplier gaveUpSessions;

  public PresenceReassertion(String nodeId, SessionRegistry sessions, RoomViews views, PresenceStore presence,
      SessionRecords records, SessionForwards forwards, BooleanSupplier gaveUpSessions) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.views = views;
    this.presence = presence;
    this.records = records;
    this.forwards = forwards;
    this.gaveUpSessions = gaveUpSessions;
  }

  /** Completes with the number of memberships written back (stale ones removed are not counted). */
  public Future<Integer> run() {
    return ChunkedCalls.apply(new ArrayList<>(sessions.all()), CONCURRENCY,
            session -> session.serially(() -> writeBack(session)))
        .compose(written -> presence.membershipsOfNode(nodeId)
            .compose(held -> ChunkedCalls.apply(held, CONCURRENCY, this::removeIfNotHeld))
            .map(removed -> written.stream().mapToInt(Integer::intValue).sum()));
  }

  private Future<Integer> writeBack(Session session) {
    if (session.state() == Session.State.ENDED) {
      return Future.succeededFuture(0);
    }
    records.save(session);
    List<Future<?>> writes = new ArrayList<>();
    for (RoomId room : session.rooms()) {
      Member member = views.member(room, session.id());
      if (member != null) {
        writes.add(presence.join(room, member, Integer.MAX_VALUE));
      }
    }
    return Future.all(writes).map(done -> writes.size());
  }

  private Future<Boolean> removeIfNotHeld(NodeMembership membership) {
    RoomId room = membership.room();
    Session session = sessions.get(membership.member().clientId());
    if (session == null) {
      // moved: the node it resumed on is about to adopt this membership; given up: the rejoin reaps it
      return forwards.nodeOf(membership.member().clientId()) != null || gaveUpSessions.getAsBoolean()
          ? Future.succeededFuture(false)
          : presence.leaveIfOnNode(room, membership.member().clientId(), nodeId);
    }
    return session.serially(() -> session.state() == Session.State.CONNECTED && !session.rooms().contains(room)
        ? presence.leaveIfOnNode(room, session.id(), nodeId)
        : Future.succeededFuture(false));
  }
}
