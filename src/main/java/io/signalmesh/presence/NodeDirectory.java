package io.signalmesh.presence;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * What nodes share besides room membership: which nodes are alive, who reaps a dead one, the
 * sessions a client can resume on any node, and the frames kept for a session whose node died.
 * One node alone needs none of it ({@link #local()}); a mesh keeps it in Redis.
 */
public interface NodeDirectory {

  /**
   * Says this node is alive for {@code ttl}. Completes with true if the store still holds what
   * this node asserted earlier, false if it lost it (Redis restarted empty): then the node must
   * re-assert its sessions and memberships and call {@link #markAsserted}. Fails with
   * {@link NodeFencedException} if the mesh declared the node dead meanwhile (nothing renewed).
   */
  Future<Boolean> heartbeat(String nodeId, Duration ttl);

  /**
   * Declares the node's previous run dead (a node starting under the id of one that crashed):
   * its liveness ends now, and every node acts on the declaration as on an expired one.
   */
  default Future<Void> declareDead(String nodeId) {
    return Future.succeededFuture();
  }

  /** Whether the node is declared dead (and has not rejoined since). */
  default Future<Boolean> isDeclaredDead(String nodeId) {
    return Future.succeededFuture(false);
  }

  /** Clears the node's death declaration: it starts over as a new run, its previous one reaped. */
  default Future<Void> rejoin(String nodeId) {
    return Future.succeededFuture();
  }

  /** Records that the node's presence is whole again after a loss. */
  Future<Void> markAsserted(String nodeId);

  /** Every node that has heartbeaten and has not been reaped (alive or not). */
  Future<List<String>> knownNodes();

  /**
   * Nodes that were alive once and whose heartbeat has expired; the first caller to see one
   * expired declares it dead, so that it fences itself if it was only paused.
   */
  Future<List<String>> deadNodes();

  /** Claims the reaping of a dead node; true for exactly one claimant within {@code ttl}. */
  Future<Boolean> claimReaping(String deadNode, String reaper, Duration ttl);

  /** Forgets a reaped node and the session records it still held. */
  Future<Void> forgetNode(String deadNode);

  /** Stores (or replaces) a resumable session under its token. */
  Future<Void> saveSession(String sessionToken, SessionRecord record);

  /** The session a token names, or null. */
  Future<SessionRecord> findSession(String sessionToken);

  /** Forgets a session (it ended). */
  Future<Void> deleteSession(String sessionToken, SessionRecord record);

  /** Keeps a frame for a client whose node died until it resumes; false once the bounded inbox is full. */
  Future<Boolean> offerInbox(ClientId client, String frame, int capacity, Duration ttl);

  /** Takes every frame kept for the client, in order. */
  Future<List<String>> drainInbox(ClientId client);

  /** Whether the backing store answered the last time it was asked (for readiness). */
  boolean healthy();

  /**
   * A resumable session: who, on which node, in which rooms, and the room token it connected
   * with (null in open mode), so that it keeps its rights on whichever node it resumes.
   */
  record SessionRecord(ClientId clientId, String nodeId, List<RoomId> rooms, RoomToken grant) {
    public SessionRecord {
      rooms = List.copyOf(rooms);
    }
  }

  /** The single node's directory: nothing is shared, nothing ever dies elsewhere. */
  static NodeDirectory local() {
    return new LocalNodeDirectory();
  }
}
