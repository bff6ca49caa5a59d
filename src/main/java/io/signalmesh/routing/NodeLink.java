package io.signalmesh.routing;

import io.signalmesh.session.ClientId;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's sending side towards one other node. Messages are numbered (per incarnation of
 * this node and generation of the link) and kept until the other node acknowledges them; it
 * does so right after handing them to its clients, so only what a crash catches between the two
 * is ever unconfirmed after delivery. The receiver puts them in order and drops repeats
 * ({@link InboundLinks}), so a write that failed is simply sent again once writes go through.
 *
 * <p>Frames are given up to the target's resume (parked in the node directory) only when the
 * other node is declared dead by the mesh (its liveness expired and it was marked dead, which
 * also fences it: a node that comes back from a pause never delivers what was parked), or, as a
 * last resort, when it acknowledged nothing for {@link #ACK_TIMEOUT_NANOS} although alive.
 */
final class NodeLink {

  /** Longer than any pause the liveness lets pass without declaring the node dead (TTL + check). */
  static final long ACK_TIMEOUT_NANOS = 15_000_000_000L;
  /** After an acknowledgement timeout, the link is tried again (a new generation) after this. */
  static final long RETRY_AFTER_NANOS = 10_000_000_000L;
  /** While writes fail, the oldest frame is sent this often to find out whether they go through again. */
  static final long PROBE_EVERY_NANOS = 500_000_000L;
  /** Frames kept for replay at most; beyond it the oldest are parked (acks stopped for far too long). */
  static final int MAX_UNACKED = 50_000;
  static final String SEQ = "seq";
  static final String FROM = "from";
  static final String INCARNATION = "inc";
  static final String GENERATION = "gen";
  private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);

  private record Pending(long generation, long seq, long firstSentNanos, List<ClientId> targets, String frame,
      DeliveryOptions options) {}

  private final String node;
  private final String address;
  private final String self;
  private final String incarnation;
  private final EventBus eventBus;
  private final ParkedFrames parked;
  private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
  private long generation = 1;
  private long nextSeq = 1;
  private boolean declaredDead;
  private long cutOffSince = -1;
  private boolean stalled;
  private long lastProbeNanos;
  private Future<?> parking = Future.succeededFuture();

  NodeLink(String node, String self, String incarnation, EventBus eventBus, ParkedFrames parked) {
    this.node = node;
    this.address = NodeInbox.address(node);
    this.self = self;
    this.incarnation = incarnation;
    this.eventBus = eventBus;
    this.parked = parked;
  }

  synchronized void send(List<ClientId> targets, String frame, DeliveryOptions options) {
    long now = System.nanoTime();
    if (declaredDead) {
      park(targets, frame);
      return;
    }
    if (cutOffSince >= 0) {
      if (now - cutOffSince < RETRY_AFTER_NANOS) {
        park(targets, frame);
        return;
      }
      restart();
    }
    long seq = nextSeq++;
    options.addHeader(SEQ, Long.toString(seq)).addHeader(FROM, self).addHeader(INCARNATION, incarnation)
        .addHeader(GENERATION, Long.toString(generation));
    Pending pending = new Pending(generation, seq, now, targets, frame, options);
    unacked.add(pending);
    if (unacked.size() > MAX_UNACKED) {
      Pending oldest = unacked.poll();
      park(oldest.targets(), oldest.frame());
    }
    if (!stalled) {
      write(pending);
    }
  }

  /** The other node confirmed everything up to {@code seq} of this incarnation and generation. */
  synchronized void ack(String ackedIncarnation, long ackedGeneration, long seq) {
    if (!incarnation.equals(ackedIncarnation) || ackedGeneration != generation) {
      return;
    }
    while (!unacked.isEmpty() && unacked.peek().seq() <= seq) {
      unacked.poll();
    }
  }

  /** Called a few times a second: gives up on a silent node, and probes a stalled one. */
  synchronized void tick(long now) {
    if (declaredDead || cutOffSince >= 0) {
      return;
    }
    Pending oldest = unacked.peek();
    if (oldest == null) {
      stalled = false;
      return;
    }
    if (now - oldest.firstSentNanos() > ACK_TIMEOUT_NANOS) {
      cutOffSince = now;
      parkAll("no acknowledgement for " + (now - oldest.firstSentNanos()) / 1_000_000 + " ms");
    } else if (stalled && now - lastProbeNanos >= PROBE_EVERY_NANOS) {
      lastProbeNanos = now;
      eventBus.<Buffer>sender(address, oldest.options()).write(Buffer.buffer(oldest.frame()))
          .onSuccess(ignored -> writesGoThrough(oldest));
    }
  }

  /** The mesh declared the node dead: what it did not confirm, and what is sent to it from now on, is parked. */
  synchronized void declaredDead() {
    if (declaredDead) {
      return;
    }
    declaredDead = true;
    parkAll("node declared dead");
  }

  /** The node is alive again (restarted, or rejoined after being fenced): a new generation starts. */
  synchronized void alive() {
    if (declaredDead) {
      declaredDead = false;
      restart();
    }
  }

  /** Frames sent but not confirmed (for tests and metrics). */
  synchronized int unconfirmed() {
    return unacked.size();
  }

  synchronized boolean parking() {
    return declaredDead || cutOffSince >= 0;
  }

  private void write(Pending pending) {
    eventBus.<Buffer>sender(address, pending.options()).write(Buffer.buffer(pending.frame()))
        .onFailure(e -> writeFailed(pending, e));
  }

  /** Nothing after a failed write is written until a probe gets through: the receiver would only hold it back. */
  private synchronized void writeFailed(Pending pending, Throwable e) {
    if (stalled || declaredDead || cutOffSince >= 0 || pending.generation() != generation || !unacked.contains(pending)) {
      return;
    }
    stalled = true;
    lastProbeNanos = System.nanoTime();
    LOG.atWarn().addKeyValue("node", node).addKeyValue("unacked", unacked.size()).addKeyValue("error", e.getMessage())
        .log("writes to node failing; keeping its frames and retrying");
  }

  private synchronized void writesGoThrough(Pending probe) {
    if (!stalled || declaredDead || cutOffSince >= 0 || probe.generation() != generation) {
      return;
    }
    stalled = false;
    LOG.atInfo().addKeyValue("node", node).addKeyValue("resending", unacked.size()).log("writes to node go through again");
    for (Pending pending : unacked) {
      if (pending.seq() > probe.seq()) {
        write(pending);
      }
    }
  }

  private void restart() {
    generation++;
    nextSeq = 1;
    stalled = false;
    cutOffSince = -1;
  }

  private void parkAll(String reason) {
    LOG.atWarn().addKeyValue("node", node).addKeyValue("unacked", unacked.size()).addKeyValue("reason", reason)
        .log("link to node broken; parking its frames for resume");
    for (Pending pending : unacked) {
      park(pending.targets(), pending.frame());
    }
    unacked.clear();
    stalled = false;
  }

  private void park(List<ClientId> targets, String frame) {
    if (frame.isEmpty()) {
      return;
    }
    for (ClientId target : targets) {
      // chained, so a client's frames are parked in the order they were sent
      parking = parking.transform(ignored -> parked.park(target, frame));
    }
  }
}
