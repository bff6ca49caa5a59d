package io.signalmesh.cluster;

import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.PresenceStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node takes its place in the mesh as a new run when an earlier run under its id is dead
 * to the others: at start after a crash, and after the mesh declared it dead while it was
 * paused. Its earlier run is declared dead (if nobody did yet), every other node gets
 * {@link #OBSERVED_WITHIN} to see that and park what it had not confirmed, the earlier run's
 * leftovers are reaped, and only then does the node heartbeat; it serves again once every
 * other node has seen it heartbeat ({@link #OBSERVED_WITHIN} again), since until then they park
 * what they send it. So nothing parked for the earlier run is ever delivered by the new one,
 * nothing sent to the new one is parked, and no reaping of the earlier run removes what the new
 * one holds.
 *
 * <p>At start the node reaps its earlier run itself at once (docs/cluster.md: a restarted node
 * first reaps what its previous run left behind). A fenced node leaves it to the survivors, who
 * reap after the resume grace, so that the clients it just told to reconnect keep their
 * sessions; it reaps itself only if nobody did by then.
 */
public final class MeshRejoin {

  /** Other nodes check liveness every second: two checks and a margin. */
  static final Duration OBSERVED_WITHIN = Duration.ofMillis(2 * NodeLiveness.INTERVAL_MILLIS + 500);
  /** How long to wait for another node's reaping of this node's earlier run before doing it anyway. */
  private static final Duration REAPED_WITHIN = Duration.ofSeconds(60);
  private static final Logger LOG = LoggerFactory.getLogger(MeshRejoin.class);

  private final Vertx vertx;
  private final String nodeId;
  private final NodeDirectory directory;
  private final PresenceStore presence;
  private final NodeReaper reaper;
  private final NodeLiveness liveness;
  private final NodeLease lease;
  private final Runnable dropAll;
  private final SessionsGiveUp giveUp;
  private final Duration leftToOthersFor;
  /** Fences so far: a rejoin serves only if no later fence overtook it (declared dead again meanwhile). */
  private volatile int fences;

  /**
   * @param dropAll gives up everything the node served when it finds it was declared dead: its
   *     sessions (through {@code giveUp}, reason {@value SessionsGiveUp#REJOINING}), its room
   *     views and what waits in its inbox
   * @param giveUp told when the node has its place back
   */
  public MeshRejoin(Vertx vertx, String nodeId, NodeDirectory directory, PresenceStore presence, NodeReaper reaper,
      NodeLiveness liveness, NodeLease lease, Duration resumeGrace, Runnable dropAll, SessionsGiveUp giveUp) {
    this.giveUp = giveUp;
    this.lease = lease;
    // the survivors reap at their first sight of the death plus the grace
    this.leftToOthersFor = resumeGrace.plus(NodeLiveness.TTL).plusSeconds(5);
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.directory = directory;
    this.presence = presence;
    this.reaper = reaper;
    this.liveness = liveness;
    this.dropAll = dropAll;
    liveness.onFenced(this::fenced);
  }

  /**
   * First thing at start, before the node takes any message: if an earlier run under its id left
   * anything behind (it crashed), that run is declared dead, so that no node takes this one's
   * "no such session" for the earlier run's clients before it parked what it held for them.
   * Completes with whether there was an earlier run.
   */
  public Future<Boolean> declareEarlierRun() {
    return Future.all(directory.knownNodes(), directory.isDeclaredDead(nodeId), presence.membershipsOfNode(nodeId))
        .compose(found -> {
          boolean earlierRun = found.<java.util.List<String>>resultAt(0).contains(nodeId)
              || found.<Boolean>resultAt(1) || !found.<java.util.List<?>>resultAt(2).isEmpty();
          if (!earlierRun) {
            return Future.succeededFuture(false);
          }
          LOG.atWarn().addKeyValue("node", nodeId).log("an earlier run of this node did not leave cleanly; reaping it first");
          return directory.declareDead(nodeId).map(true);
        })
        .recover(unavailable -> {
          LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("error", unavailable.getMessage())
              .log("presence store unavailable at start; starting without reaping an earlier run");
          return Future.succeededFuture(false);
        });
  }

  /**
   * Then: the earlier run (if any) is reaped, and the heartbeat starts; after an earlier run the
   * node takes clients only once every other node has seen it heartbeat.
   */
  public Future<Void> atStart(boolean earlierRun) {
    if (!earlierRun) {
      return liveness.start();
    }
    return replaceEarlierRun(Duration.ZERO)
        .recover(unavailable -> {
          LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("error", unavailable.getMessage())
              .log("earlier run not reaped; starting anyway");
          return Future.succeededFuture();
        })
        .compose(ignored -> liveness.start())
        .compose(ignored -> after(OBSERVED_WITHIN));
  }

  /** The heartbeat found this node declared dead: drop everything, then come back as a new run. */
  private void fenced() {
    long since = System.nanoTime();
    int fence = ++fences;
    dropAll.run();
    replaceEarlierRun(leftToOthersFor)
        .compose(ignored -> liveness.resume())
        .compose(ignored -> after(OBSERVED_WITHIN))
        .onSuccess(ignored -> {
          if (fence != fences) {
            return;
          }
          lease.rejoined();
          giveUp.takenBack(SessionsGiveUp.REJOINING);
          LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("afterMillis", (System.nanoTime() - since) / 1_000_000)
              .log("rejoined the mesh as a new run");
        })
        .onFailure(e -> {
          LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("error", e.getMessage()).log("rejoining failed; trying again");
          vertx.setTimer(NodeLiveness.INTERVAL_MILLIS, id -> fenced());
        });
  }

  /**
   * Waits until every node saw the earlier run dead, gives the survivors {@code leftToOthers} to
   * reap it, reaps it itself if they did not (or waits for whoever holds the claim), and clears
   * the declaration.
   */
  private Future<Void> replaceEarlierRun(Duration leftToOthers) {
    return after(OBSERVED_WITHIN)
        .compose(ignored -> awaitForgotten(System.nanoTime() + leftToOthers.toNanos()))
        .compose(forgotten -> forgotten ? Future.<Boolean>succeededFuture(true) : reaper.reap(nodeId)
            .compose(removed -> awaitForgotten(System.nanoTime() + REAPED_WITHIN.toNanos())))
        .compose(forgotten -> {
          if (!forgotten) {
            LOG.atWarn().addKeyValue("node", nodeId).log("earlier run still not reaped; rejoining anyway");
          }
          return directory.rejoin(nodeId);
        });
  }

  /** Whether this node's earlier run is forgotten (reaped) by the deadline. */
  private Future<Boolean> awaitForgotten(long deadline) {
    return directory.knownNodes().compose(known -> {
      if (!known.contains(nodeId)) {
        return Future.succeededFuture(true);
      }
      if (System.nanoTime() - deadline > 0) {
        return Future.succeededFuture(false);
      }
      return after(Duration.ofMillis(NodeLiveness.INTERVAL_MILLIS)).compose(ignored -> awaitForgotten(deadline));
    });
  }

  private Future<Void> after(Duration delay) {
    Promise<Void> done = Promise.promise();
    vertx.setTimer(Math.max(1, delay.toMillis()), id -> done.complete());
    return done.future();
  }
}
