package io.signalmesh.presence;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import java.util.List;

/**
 * Who is in which room, and on which node: the one source of truth that lets peers on
 * different nodes find each other. Every method is asynchronous and never blocks the
 * caller's event loop; a store whose backend is down fails the future with
 * {@link PresenceUnavailableException}.
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
  Future<JoinResult> join(RoomId room, Member member, int capacity);

  /** Removes the client from the room; true if it was a member. */
  Future<Boolean> leave(RoomId room, ClientId client);

  /**
   * Removes the client from the room only if the store still names {@code nodeId} as its node:
   * how a survivor reaps a dead node's members without deleting one that meanwhile resumed on a
   * live node. True if it removed it.
   */
  Future<Boolean> leaveIfOnNode(RoomId room, ClientId client, String nodeId);

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
