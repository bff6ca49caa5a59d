package io.signalmesh.cluster;

import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.NodeFencedException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's heartbeat in the directory, once a second. When the directory has lost what the
 * node asserted (Redis restarted empty or was flushed), the node re-asserts its live sessions
 * so that presence is whole again within a heartbeat or two. Each heartbeat that comes back
 * vouches for the node's {@link NodeLease}; one refused because the mesh declared the node dead
 * (it was paused past the TTL) fences it: the heartbeat stops until the node has rejoined.
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
  private Runnable onFenced = () -> { };
  private boolean beating;
  private boolean fenced;
  private boolean wasHealthy = true;
  private long timer = -1;

  /** @param reassert re-writes the node's sessions and memberships; completes with how many it wrote */
  public NodeLiveness(Vertx vertx, NodeDirectory directory, String nodeId, Supplier<Future<Integer>> reassert,
      NodeLease lease) {
    this.vertx = vertx;
    this.directory = directory;
    this.nodeId = nodeId;
    this.reassert = reassert;
    this.lease = lease;
  }

  /** What to do when the mesh turns out to have declared this node dead (once per death). */
  public void onFenced(Runnable action) {
    this.onFenced = action;
  }

  /** The first heartbeat; later ones follow every second. */
  public Future<Void> start() {
    timer = vertx.setPeriodic(INTERVAL_MILLIS, id -> beat());
    return beatOnce().mapEmpty();
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** The node rejoined as a new run: heartbeats go on, and the lease vouches again. */
  Future<Void> resume() {
    fenced = false;
    lease.rejoined();
    return beatOnce();
  }

  private void beat() {
    if (!beating && !fenced) {
      beatOnce();
    }
  }

  private Future<Void> beatOnce() {
    beating = true;
    long sentNanos = System.nanoTime();
    return directory.heartbeat(nodeId, TTL)
        .compose(intact -> intact ? Future.succeededFuture() : repair())
        .onComplete(done -> {
          beating = false;
          if (done.failed() && done.cause() instanceof NodeFencedException) {
            fenced();
            return;
          }
          lease.vouched(sentNanos);
          boolean healthy = done.succeeded();
          if (healthy != wasHealthy) {
            LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("healthy", healthy)
                .addKeyValue("error", done.failed() ? done.cause().getMessage() : null)
                .log(healthy ? "presence store reachable again" : "presence store unreachable");
            wasHealthy = healthy;
          }
        })
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
    return reassert.get()
        .compose(written -> directory.markAsserted(nodeId).map(written))
        .onSuccess(written -> LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("memberships", written)
            .log("presence asserted"))
        .mapEmpty();
  }
}
