package io.signalmesh.cluster;

import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.NodeFencedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's heartbeat in the directory, once a second. When the directory has lost what the
 * node asserted (Redis restarted empty or was flushed), or answers again after a heartbeat
 * failed (a failover may have promoted a replica that lacks the latest joins and leaves, and
 * leaves made meanwhile were applied only locally), the node reconciles its presence (see
 * {@link PresenceReassertion}) so that it is whole again within a heartbeat or two. Each
 * heartbeat that comes back vouches for the node's {@link NodeLease}; one refused because the
 * mesh declared the node dead (it was paused past the TTL) fences it: the heartbeat stops until
 * the node has rejoined as a new run ({@link MeshRejoin}). Each outcome also tells the
 * {@link LivenessJudge} whether this node may judge others yet.
 */
public final class NodeLiveness {

  /** Liveness TTL: a node whose heartbeat has not been renewed for this long is dead to the others. */
  public static final Duration TTL = Duration.ofSeconds(5);
  public static final long INTERVAL_MILLIS = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);

  private final Vertx vertx;
  private final NodeDirectory directory;
  private final String nodeId;
  private final Supplier<Future<Integer>> reassert;
  private final NodeLease lease;
  private final LivenessJudge judge;
  private Runnable onFenced = () -> { };
  private volatile boolean fenced;
  private volatile boolean beating;
  private final AtomicBoolean repairing = new AtomicBoolean();
  private volatile boolean wasHealthy = true;
  /** Heartbeats and repairs that failed so far: after each, the store may have missed writes. */
  private final AtomicLong failures = new AtomicLong();
  /** The count of {@link #failures} when the last successful repair started. */
  private volatile long repairedUpTo;
  private long timer = -1;

  /** @param reassert reconciles the node's sessions and memberships; completes with how many it wrote */
  public NodeLiveness(Vertx vertx, NodeDirectory directory, String nodeId, Supplier<Future<Integer>> reassert,
      NodeLease lease, LivenessJudge judge) {
    this.vertx = vertx;
    this.judge = judge;
    this.directory = directory;
    this.nodeId = nodeId;
    this.reassert = reassert;
    this.lease = lease;
  }

  /** What to do when the mesh turns out to have declared this node dead (once per death). */
  public void onFenced(Runnable action) {
    this.onFenced = action;
  }

  /** The first heartbeat (and the first assertion); later ones follow every second. */
  public Future<Void> start() {
    timer = vertx.setPeriodic(INTERVAL_MILLIS, id -> beat());
    return beatOnce();
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
  /** The node rejoins as a new run: heartbeats go on (it serves again once {@link NodeLease#rejoined}). */
  Future<Void> resume() {
    fenced = false;
    return beatOnce();
  }


  private void beat() {
    if (!beating && !fenced) {
      beatOnce();
    }
  }

  /**
   * One heartbeat, then a repair if one is due. The next heartbeat does not wait for the repair
   * (a busy node's reconciliation may take longer than the liveness TTL).
   */
  private Future<Void> beatOnce() {
    beating = true;
    long sentNanos = System.nanoTime();
    return directory.heartbeat(nodeId, TTL)
        .onComplete(done -> {
          beating = false;
          if (done.failed() && done.cause() instanceof NodeFencedException) {
            judge.heartbeatFailed();
            fenced();
            return;
          }
          // a heartbeat that failed because Redis is down vouches too: nobody can declare the node
          // dead then, nor for a TTL after Redis is back (LivenessJudge)
          lease.vouched(sentNanos);
          boolean healthy = done.succeeded();
          if (healthy) {
            judge.heartbeatAnswered(done.result());
          } else {
            judge.heartbeatFailed();
            failures.incrementAndGet();
          }
          if (healthy != wasHealthy) {
            LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("healthy", healthy)
                .addKeyValue("error", done.failed() ? done.cause().getMessage() : null)
                .log(healthy ? "presence store reachable again" : "presence store unreachable");
            wasHealthy = healthy;
          }
        })
        .compose(intact -> intact && failures.get() == repairedUpTo ? Future.<Void>succeededFuture() : repair())
        .recover(e -> Future.succeededFuture());
  }

  private void fenced() {
    if (fenced) {
      return;
    }
    fenced = true;
    lease.fence();
    LOG.atWarn().addKeyValue("node", nodeId)
        .log("the mesh declared this node dead (it was not heartbeating): fencing it and rejoining as a new run");
    onFenced.run();
  }

  private Future<Void> repair() {
    if (!repairing.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    long seen = failures.get();
    return reassert.get()
        .compose(written -> directory.markAsserted(nodeId).map(written))
        .onSuccess(written -> {
          repairedUpTo = seen;
          LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("memberships", written).log("presence asserted");
        })
        .onFailure(e -> {
          failures.incrementAndGet();
          LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("error", e.getMessage())
              .log("presence not asserted; retrying at the next heartbeat");
        })
        .onComplete(done -> repairing.set(false))
        .mapEmpty();
  }
}
