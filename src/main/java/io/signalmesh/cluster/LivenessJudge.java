package io.signalmesh.cluster;

import io.signalmesh.presence.NodeDirectory;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when this node may judge other nodes dead. A node whose heartbeat has not been renewed
 * for the liveness TTL is dead to the others, and the first node to see it declares it dead
 * ({@link NodeDirectory#deadNodes}), which fences it if it was only paused. But when the store
 * itself was away for a TTL (a Redis restart, a Sentinel failover) every node's heartbeat ran
 * out at once, and the first node back would declare all the others dead and fence them, each
 * reconnecting all its clients. So a node judges only once the store has answered its own
 * heartbeats for a full TTL without failing one or losing what the node asserted (counted from
 * the first answer, so also from the node's start): by then every live node has had a whole TTL
 * to renew its heartbeat too, as in normal running. Every caller of
 * {@link NodeDirectory#deadNodes} asks through here.
 */
public final class LivenessJudge {

  private static final Logger LOG = LoggerFactory.getLogger(LivenessJudge.class);
  private static final long NOT_ANSWERING = Long.MIN_VALUE;

  private final NodeDirectory directory;
  private final String nodeId;
  private final LongSupplier nanoClock;
  private final long ttlNanos = NodeLiveness.TTL.toNanos();
  /**
   * Since when the store has answered this node's heartbeats with its data intact, or
   * {@link #NOT_ANSWERING} after a failed heartbeat or a loss (and before the first answer).
   */
  private volatile long answeringSinceNanos = NOT_ANSWERING;
  private volatile boolean judging;

  /** @param nanoClock {@link System#nanoTime} but in tests */
  public LivenessJudge(NodeDirectory directory, String nodeId, LongSupplier nanoClock) {
    this.directory = directory;
    this.nodeId = nodeId;
    this.nanoClock = nanoClock;
  }

  /** The store answered a heartbeat; {@code intact} is false when it had lost what this node asserted. */
  void heartbeatAnswered(boolean intact) {
    if (!intact) {
      stopJudging();
    }
    if (!intact || answeringSinceNanos == NOT_ANSWERING) {
      answeringSinceNanos = nanoClock.getAsLong();
    }
  }

  /** A heartbeat failed (the store is away), or the mesh declared this node dead. */
  void heartbeatFailed() {
    answeringSinceNanos = NOT_ANSWERING;
    stopJudging();
  }

  private void stopJudging() {
    if (judging) {
      judging = false;
      LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("ttlSeconds", NodeLiveness.TTL.toSeconds())
          .log("not judging other nodes' liveness until this node's heartbeats have been answered for a TTL");
    }
  }

  /**
   * The nodes whose heartbeat ran out (declaring them dead), or empty while this node may not
   * judge: then nobody is known dead nor known alive, so callers wait for a later check.
   */
  public Future<Optional<List<String>>> deadNodes() {
    if (!mayJudge()) {
      return Future.succeededFuture(Optional.empty());
    }
    return directory.deadNodes().map(dead -> {
      if (!judging) {
        judging = true;
        LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("deadNodes", dead)
            .log("judging other nodes' liveness: this node's heartbeats have been answered for a TTL");
      }
      return Optional.of(dead);
    });
  }

  boolean mayJudge() {
    long since = answeringSinceNanos;
    return since != NOT_ANSWERING && nanoClock.getAsLong() - since >= ttlNanos;
  }
}
