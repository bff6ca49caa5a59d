package io.signalmesh.cluster;

import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.presence.Member;
import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.presence.PresenceStore.NodeMembership;
import io.signalmesh.protocol.LeaveReason;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.routing.MeshRouter;
import io.signalmesh.routing.NodeInbox;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.webhook.WebhookEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans up after dead nodes. Every second it asks the directory which nodes stopped
 * heartbeating (the first to ask declares such a node dead, see {@link NodeDirectory#deadNodes}:
 * a node paused that long fences itself when it comes back; it asks only while the
 * {@link LivenessJudge} lets it); once the resume grace has passed
 * for one (its clients had that long to resume elsewhere), one surviving node claims it and
 * removes the members it still holds, and their
 * rooms get {@code peer-disconnected} and {@code participant-left} with reason
 * {@code node-failure}. A member that resumed on a live node is never touched: removal is
 * conditional on the store still naming the dead node.
 */
public final class NodeReaper {

  private static final Logger LOG = LoggerFactory.getLogger(NodeReaper.class);
  private static final Duration CLAIM_TTL = Duration.ofMinutes(2);

  private final Vertx vertx;
  private final String nodeId;
  private final NodeDirectory directory;
  private final LivenessJudge judge;
  private final PresenceStore presence;
  private final NodeInbox inbox;
  private final MeshRouter router;
  private final Duration grace;
  private final SignalingMetrics metrics;
  private final WebhookEvents events;
  private final Set<String> scheduled = new HashSet<>();
  /** Nodes seen dead and not yet seen heartbeating again. */
  private final Set<String> seenDead = new HashSet<>();
  private long timer = -1;
  private boolean checking;

  public NodeReaper(Vertx vertx, String nodeId, NodeDirectory directory, LivenessJudge judge, PresenceStore presence,
      NodeInbox inbox, MeshRouter router, Duration grace, SignalingMetrics metrics, WebhookEvents events) {
    this.judge = judge;
    this.metrics = metrics;
    this.events = events;
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.directory = directory;
    this.presence = presence;
    this.inbox = inbox;
    this.router = router;
    this.grace = grace;
  }

  public void start() {
    timer = vertx.setPeriodic(NodeLiveness.INTERVAL_MILLIS, id -> check());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    judge.deadNodes()
        .compose(verdict -> verdict.map(this::act).orElse(Future.succeededFuture()))
        .onComplete(done -> checking = false);
  }

  private Future<Void> act(List<String> dead) {
    dead.stream().filter(node -> !node.equals(nodeId)).forEach(this::schedule);
    return seenDead.isEmpty() ? Future.succeededFuture() : directory.knownNodes().<Void>map(known -> {
      for (String node : List.copyOf(seenDead)) {
        if (known.contains(node) && !dead.contains(node)) {
          seenDead.remove(node);
          inbox.nodeAlive(node);
        }
      }
      return null;
    });
  }

  private void schedule(String dead) {
    seenDead.add(dead);
    if (!scheduled.add(dead)) {
      return;
    }
    inbox.nodeDied(dead);
    LOG.atWarn().addKeyValue("deadNode", dead).addKeyValue("graceSeconds", grace.toSeconds())
        .log("node stopped heartbeating; reaping its members after the resume grace");
    vertx.setTimer(Math.max(1, grace.toMillis()), id -> reapIfStillDead(dead).onComplete(done -> scheduled.remove(dead)));
  }

  /**
   * A node that heartbeats again before its grace ran out (a partition healed, a long pause
   * ended) is not reaped: it may hold live sessions again, and it cleans up what it gave up
   * itself (see {@link ClusterIsolation}). While this node may not judge (the store was just
   * away), it asks again a heartbeat later.
   */
  private Future<Integer> reapIfStillDead(String node) {
    return judge.deadNodes().compose(verdict -> {
      if (verdict.isEmpty()) {
        Promise<Integer> later = Promise.promise();
        vertx.setTimer(NodeLiveness.INTERVAL_MILLIS, id -> reapIfStillDead(node).onComplete(later));
        return later.future();
      }
      if (verdict.get().contains(node)) {
        return reap(node);
      }
      // no longer dead: it heartbeats again, or another survivor has reaped and forgotten it
      return directory.knownNodes().map(known -> {
        LOG.atInfo().addKeyValue("node", node).log(known.contains(node)
            ? "node heartbeats again; not reaping it" : "node already reaped by another node");
        return 0;
      });
    });
  }

  /** Reaps a dead node if this node wins the claim; completes with the number of members removed. */
  public Future<Integer> reap(String dead) {
    return directory.claimReaping(dead, nodeId, CLAIM_TTL).compose(won -> {
      if (!won) {
        return Future.succeededFuture(0);
      }
      return removeMembers(dead)
          .onSuccess(metrics::reaped)
          .compose(count -> directory.forgetNode(dead).map(count))
          .onSuccess(count -> LOG.atWarn().addKeyValue("deadNode", dead).addKeyValue("members", count)
              .log("reaped dead node"));
    }).onFailure(e -> LOG.atWarn().addKeyValue("deadNode", dead).addKeyValue("error", e.getMessage())
        .log("reaping failed; will retry"));
  }

  /**
   * Takes every member {@code node} holds out of its rooms and tells the members that remain;
   * completes with how many were removed. The node's own place among the nodes stays (see
   * {@link NodeDirectory#forgetNode}).
   */
  public Future<Integer> removeMembers(String node) {
    return presence.membershipsOfNode(node)
        .compose(held -> removeAll(node, held))
        .compose(removed -> announce(removed).map(removed.size()));
  }

  private Future<List<NodeMembership>> removeAll(String dead, List<NodeMembership> held) {
    List<Future<Boolean>> removals = new ArrayList<>();
    for (NodeMembership membership : held) {
      ClientId client = membership.member().clientId();
      removals.add(presence.leaveIfOnNode(membership.room(), client, dead,
          events.left(membership.room(), client, dead, LeaveReason.NODE_FAILURE)));
    }
    return Future.all(removals).map(done -> {
      List<NodeMembership> removed = new ArrayList<>();
      for (int i = 0; i < held.size(); i++) {
        if (removals.get(i).result()) {
          removed.add(held.get(i));
        }
      }
      return removed;
    });
  }

  /** Tells the remaining members of each room: peer-disconnected once per peer, then participant-left per room. */
  private Future<Void> announce(List<NodeMembership> removed) {
    Map<RoomId, List<ClientId>> goneByRoom = new LinkedHashMap<>();
    removed.forEach(m -> goneByRoom.computeIfAbsent(m.room(), r -> new ArrayList<>()).add(m.member().clientId()));
    List<Future<List<Member>>> lookups = new ArrayList<>();
    List<RoomId> rooms = new ArrayList<>(goneByRoom.keySet());
    rooms.forEach(room -> lookups.add(presence.members(room)));
    return Future.join(lookups).transform(done -> {
      Map<ClientId, Map<ClientId, Member>> peersOfGone = new HashMap<>();
      for (int i = 0; i < rooms.size(); i++) {
        if (lookups.get(i).failed()) {
          continue;
        }
        for (ClientId gone : goneByRoom.get(rooms.get(i))) {
          Map<ClientId, Member> peers = peersOfGone.computeIfAbsent(gone, g -> new LinkedHashMap<>());
          lookups.get(i).result().forEach(m -> peers.put(m.clientId(), m));
        }
      }
      peersOfGone.forEach((gone, peers) ->
          router.toMembers(peers.values(), ServerMessages.peerDisconnected(gone), gone));
      for (int i = 0; i < rooms.size(); i++) {
        if (lookups.get(i).succeeded()) {
          announceLeft(rooms.get(i), goneByRoom.get(rooms.get(i)), lookups.get(i).result());
        }
      }
      return Future.succeededFuture();
    });
  }

  private void announceLeft(RoomId room, List<ClientId> gone, List<Member> remaining) {
    Map<String, List<ClientId>> byNode = new HashMap<>();
    remaining.forEach(m -> byNode.computeIfAbsent(m.nodeId(), n -> new ArrayList<>()).add(m.clientId()));
    for (ClientId client : gone) {
      String frame = ServerMessages.participantLeft(room, client, LeaveReason.NODE_FAILURE);
      byNode.forEach((node, ids) -> inbox.sendLeft(node, ids, room, client, frame));
    }
  }
}
