package io.signalmesh.cluster;

import io.signalmesh.presence.NodeDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that this node was cut off from the mesh (a network partition) and brings it back.
 *
 * <p>Cut off means: Redis has not answered the node's heartbeat for longer than the liveness TTL
 * plus a margin, so the other nodes have declared it dead (they park what they send its clients
 * and will reap its members after the grace), and the Hazelcast cluster it sees has lost the
 * majority of the members it had when Redis last answered. Both must hold: Redis down for
 * everyone leaves the cluster whole, and a dead peer leaves Redis reachable; neither alone is a
 * reason to give clients up (nor both at once while the majority stays together). A cut-off node
 * turns not ready, refuses new connections and gives its sessions up ({@link SessionsGiveUp},
 * reason {@value SessionsGiveUp#CUT_OFF}): its clients resume on the other side, through the
 * load balancer, with the same clientId and rooms.
 *
 * <p>When Redis answers again the node rejoins, and takes clients again only once (1) Hazelcast
 * has merged it back (it sees as many members as there are live nodes in Redis), (2) the resume
 * grace of the sessions it gave up has passed, and (3) what it still held in Redis for sessions
 * that did not resume anywhere is reaped, with leaves announced ({@link SessionsGiveUp#reapLeftovers}).
 * So it never serves stale rooms nor leaves a ghost behind.
 */
public final class ClusterIsolation {

  /** Heartbeats failing this long, beyond the TTL, before the node gives up its clients: every other node has noticed by then. */
  static final Duration MARGIN = Duration.ofSeconds(2);
  private static final long CHECK_MILLIS = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(ClusterIsolation.class);

  public enum State { JOINED, CUT_OFF, REJOINING }

  private final Vertx vertx;
  private final String nodeId;
  private final NodeDirectory directory;
  private final LivenessJudge judge;
  private final IntSupplier clusterSize;
  private final Duration grace;
  private final SessionsGiveUp giveUp;
  private volatile State state = State.JOINED;
  private long lastHealthyNanos = System.nanoTime();
  private int membersWhenHealthy;
  private long cutOffAtNanos;
  private boolean checking;
  private long timer = -1;

  /**
   * @param clusterSize members of the Hazelcast cluster this node sees (itself included)
   * @param grace the resume grace: how long the sessions it gave up may still resume elsewhere
   * @param giveUp gives the node's sessions up (they resume on other nodes) and reaps what of them is left
   */
  public ClusterIsolation(Vertx vertx, String nodeId, NodeDirectory directory, LivenessJudge judge,
      IntSupplier clusterSize, Duration grace, SessionsGiveUp giveUp) {
    this.judge = judge;
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.directory = directory;
    this.clusterSize = clusterSize;
    this.grace = grace;
    this.giveUp = giveUp;
  }

  public void start() {
    membersWhenHealthy = clusterSize.getAsInt();
    timer = vertx.setPeriodic(CHECK_MILLIS, id -> check());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** True while the node must not take clients: cut off, or not yet fully back. */
  public boolean isolated() {
    return state != State.JOINED;
  }

  public State state() {
    return state;
  }

  private void check() {
    if (checking) {
      return;
    }
    long now = System.nanoTime();
    boolean healthy = directory.healthy();
    switch (state) {
      case JOINED -> {
        if (healthy) {
          lastHealthyNanos = now;
          membersWhenHealthy = clusterSize.getAsInt();
        } else if (isCutOff(Duration.ofNanos(now - lastHealthyNanos), clusterSize.getAsInt(), membersWhenHealthy)) {
          cutOff(now);
        }
      }
      case CUT_OFF -> {
        if (healthy) {
          state = State.REJOINING;
          LOG.atWarn().addKeyValue("node", nodeId).log("presence store reachable again; rejoining the mesh");
        }
      }
      case REJOINING -> {
        if (healthy) {
          checking = true;
          rejoined(now).onComplete(done -> checking = false);
        }
      }
    }
  }

  /**
   * The rule: presence unreachable for longer than the liveness TTL plus the margin, and at most
   * half of the cluster members left that the node had when presence last answered.
   */
  static boolean isCutOff(Duration withoutPresence, int members, int membersBefore) {
    return withoutPresence.compareTo(NodeLiveness.TTL.plus(MARGIN)) > 0 && 2 * members <= membersBefore;
  }

  private void cutOff(long now) {
    state = State.CUT_OFF;
    cutOffAtNanos = now;
    LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("clusterMembers", clusterSize.getAsInt())
        .addKeyValue("membersBefore", membersWhenHealthy)
        .addKeyValue("secondsWithoutPresence", Duration.ofNanos(now - lastHealthyNanos).toSeconds())
        .log("cut off from the mesh: not ready, clients sent to reconnect elsewhere");
    giveUp.giveUp(SessionsGiveUp.CUT_OFF);
  }

  private Future<Void> rejoined(long now) {
    if (now - cutOffAtNanos < grace.toNanos()) {
      return Future.succeededFuture();
    }
    return liveNodes().<Void>compose(counted -> {
      if (counted.isEmpty()) {
        // Redis was away for this node: the others may still be renewing their heartbeats
        return Future.succeededFuture();
      }
      int live = counted.get();
      int members = clusterSize.getAsInt();
      if (members < live) {
        LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("clusterMembers", members).addKeyValue("liveNodes", live)
            .log("waiting for the cluster to merge this node back");
        return Future.succeededFuture();
      }
      return giveUp.reapLeftovers().<Void>map(clean -> {
        if (clean) {
          state = State.JOINED;
          giveUp.takenBack(SessionsGiveUp.CUT_OFF);
          lastHealthyNanos = System.nanoTime();
          membersWhenHealthy = members;
          LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("clusterMembers", members).log("back in the mesh; ready");
        }
        return null;
      });
    }).recover(e -> {
      LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("error", e.getMessage()).log("rejoin check failed; retrying");
      return Future.succeededFuture();
    });
  }

  /** Nodes Redis says are alive (heartbeating), this one included; empty while this node may not judge. */
  private Future<Optional<Integer>> liveNodes() {
    return judge.deadNodes().compose(verdict -> {
      if (verdict.isEmpty()) {
        return Future.succeededFuture(Optional.empty());
      }
      List<String> dead = verdict.get();
      return directory.knownNodes()
          .map(known -> Optional.of((int) known.stream().filter(node -> !dead.contains(node)).count()));
    });
  }
}
