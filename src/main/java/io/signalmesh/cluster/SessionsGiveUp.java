package io.signalmesh.cluster;

import io.signalmesh.presence.PresenceStore;
import io.signalmesh.session.SessionRegistry;
import io.vertx.core.Future;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * The one way a node gives its sessions up to the rest of the mesh, and the rule that goes with
 * it until the node has taken its place back. Two triggers use it: a partition that cut the node
 * off ({@link ClusterIsolation}, reason {@value #CUT_OFF}) and a death declaration it finds after
 * a pause ({@link MeshRejoin}, reason {@value #REJOINING}). Each client gets {@code reconnect}
 * with the reason and a 1012 close, and resumes elsewhere with its session; nothing is left
 * locally.
 *
 * <p>What the node still holds in presence for those sessions is not its to drop silently while
 * the sessions may still resume elsewhere: their peers have not been told. So while any give-up
 * is pending ({@link #pending}) the node's presence reconciliation removes none of it; once the
 * grace has passed it is reaped with leaves announced, by the node itself after a cut-off
 * ({@link #reapLeftovers}) and by the survivors for a node declared dead.
 */
public final class SessionsGiveUp {

  /** The node was cut off from the mesh by a partition. */
  public static final String CUT_OFF = "cut-off";
  /** The mesh declared the node dead while it was paused: it rejoins as a new run. */
  public static final String REJOINING = "rejoining";

  private final String nodeId;
  private final SessionRegistry sessions;
  private final PresenceStore presence;
  private final NodeReaper reaper;
  private final ToIntFunction<String> releaseAll;
  /** Reasons of the give-ups whose node has not taken its place back yet. */
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  /** @param releaseAll tells every session's client to reconnect elsewhere (with the reason) and forgets it here */
  public SessionsGiveUp(String nodeId, SessionRegistry sessions, PresenceStore presence, NodeReaper reaper,
      ToIntFunction<String> releaseAll) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.presence = presence;
    this.reaper = reaper;
    this.releaseAll = releaseAll;
  }

  /** Gives every session up; returns how many. Pending until {@link #takenBack} with the same reason. */
  public int giveUp(String reason) {
    pending.add(reason);
    return releaseAll.applyAsInt(reason);
  }

  /** The node has its place back after the give-up for {@code reason}. */
  public void takenBack(String reason) {
    pending.remove(reason);
  }

  /**
   * True while sessions given up may still have memberships in presence that their peers were
   * not told about: nobody but the reaping may remove them.
   */
  public boolean pending() {
    return !pending.isEmpty();
  }

  /**
   * What the node still holds in presence for sessions it gave up that did not resume anywhere:
   * reaped (with leaves announced); true once nothing is left.
   */
  public Future<Boolean> reapLeftovers() {
    return presence.membershipsOfNode(nodeId).compose(held -> {
      boolean leftovers = held.stream().anyMatch(m -> sessions.get(m.member().clientId()) == null);
      return leftovers ? reaper.reap(nodeId).map(false) : Future.succeededFuture(true);
    });
  }
}
