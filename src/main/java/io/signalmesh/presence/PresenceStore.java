package io.signalmesh.presence;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import java.util.List;

/**
 * Who is in which room, and on which node: the one source of truth that lets peers on
 * different nodes find each other. Every method is asynchronous and never blocks the
 * caller's event loop; a store whose backend is down fails the future with
 * {@link PresenceUnavailableException}. A join's or leave's future completes on the context
 * that called it, so a session's own frames, handled on its event loop, never overtake what its
 * join or leave still does (announce it to the other nodes).
 *
 * <p>Relayed messages never consult the store: each node keeps a local view of the rooms it
 * has members in, filled from {@link #join} and kept current by room events.
 */
public interface PresenceStore {

  /**
   * Adds {@code member} to {@code room} unless the room already holds {@code capacity} other
   * members. Joining again is idempotent: it keeps the original join time and updates node,
   * name and metadata.
   */
  default Future<JoinResult> join(RoomId room, Member member, int capacity) {
    return join(room, member, capacity, OutboxEvents.NONE);
  }

  /**
   * {@link #join(RoomId, Member, int)} that also leaves {@code events} in the webhook outbox, with
   * the change: the member event if the member was not in the room yet, the room event before it
   * if the join created the room.
   */
  Future<JoinResult> join(RoomId room, Member member, int capacity, OutboxEvents events);

  /** Removes the client from the room; true if it was a member. */
  default Future<Boolean> leave(RoomId room, ClientId client) {
    return leave(room, client, OutboxEvents.NONE);
  }

  /**
   * {@link #leave(RoomId, ClientId)} that also leaves {@code events} in the webhook outbox, with
   * the change: the member event if it removed the member, the room event after it if the room is
   * empty now. So exactly one leave announces the end of a room.
   */
  Future<Boolean> leave(RoomId room, ClientId client, OutboxEvents events);

  /**
   * Removes the client from the room only if the store still names {@code nodeId} as its node:
   * how a survivor reaps a dead node's members without deleting one that meanwhile resumed on a
   * live node. True if it removed it.
   */
  default Future<Boolean> leaveIfOnNode(RoomId room, ClientId client, String nodeId) {
    return leaveIfOnNode(room, client, nodeId, OutboxEvents.NONE);
  }

  /** {@link #leaveIfOnNode(RoomId, ClientId, String)} leaving {@code events} as {@link #leave(RoomId, ClientId, OutboxEvents)} does. */
  Future<Boolean> leaveIfOnNode(RoomId room, ClientId client, String nodeId, OutboxEvents events);

  /** The room's members, empty if the room does not exist. */
  Future<List<Member>> members(RoomId room);

  /** The ids of all rooms with at least one member, sorted, at most {@code limit} after {@code after} (null = from the start). */
  Future<List<RoomId>> rooms(String after, int limit);

  /** Every membership held by the node: what must be reaped when it dies or re-asserted when the store lost it. */
  Future<List<NodeMembership>> membershipsOfNode(String nodeId);

  /** Releases connections; the store is unusable afterwards. */
  Future<Void> close();

  /** A (room, member) pair held by one node. */
  record NodeMembership(RoomId room, Member member) {}
}
