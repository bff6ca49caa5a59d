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
 * This node's sending side towards one other node. Messages are numbered and kept until the
 * other node acknowledges them (it sends cumulative acks a few times a second, not one per
 * message). When the link breaks (a write fails, or no ack comes for {@link #ACK_TIMEOUT_NANOS}:
 * the node died), every unacknowledged frame, and every frame sent while the link stays
 * broken, is parked in order for its targets' resume instead of being lost.
 */
final class NodeLink {

  static final long ACK_TIMEOUT_NANOS = 3_000_000_000L;
  /** After this, a broken link is tried again (the node may be back, e.g. restarted under the same id). */
  static final long RETRY_AFTER_NANOS = 10_000_000_000L;
  /** Frames kept for replay at most; beyond it the oldest are given up (acks stopped for far too long). */
  static final int MAX_UNACKED = 50_000;
  static final String SEQ = "seq";
  static final String FROM = "from";
  private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);

  private record Pending(long seq, long sentAtNanos, List<ClientId> targets, String frame) {}

  private final String node;
  private final String address;
  private final String self;
  private final EventBus eventBus;
  private final ParkedFrames parked;
  private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
  private long nextSeq = 1;
  private long brokenSince = -1;
  private Future<?> parking = Future.succeededFuture();

  NodeLink(String node, String self, EventBus eventBus, ParkedFrames parked) {
    this.node = node;
    this.address = NodeInbox.address(node);
    this.self = self;
    this.eventBus = eventBus;
    this.parked = parked;
  }

  synchronized void send(List<ClientId> targets, String frame, DeliveryOptions options) {
    long now = System.nanoTime();
    if (brokenSince >= 0) {
      if (now - brokenSince < RETRY_AFTER_NANOS) {
        park(targets, frame);
        return;
      }
      brokenSince = -1;
    }
    long seq = nextSeq++;
    unacked.add(new Pending(seq, now, targets, frame));
    if (unacked.size() > MAX_UNACKED) {
      unacked.poll();
    }
    options.addHeader(SEQ, Long.toString(seq)).addHeader(FROM, self);
    eventBus.<Buffer>sender(address, options).write(Buffer.buffer(frame))
        .onFailure(e -> breakLink("write failed: " + e.getMessage()));
  }

  synchronized void ack(long seq) {
    while (!unacked.isEmpty() && unacked.peek().seq() <= seq) {
      unacked.poll();
    }
  }

  synchronized void checkAcks(long now) {
    Pending oldest = unacked.peek();
    if (brokenSince < 0 && oldest != null && now - oldest.sentAtNanos() > ACK_TIMEOUT_NANOS) {
      breakLink("no acknowledgement for " + (now - oldest.sentAtNanos()) / 1_000_000 + " ms");
    }
  }

  /** The node is known dead: stop sending to it and park what it did not confirm. */
  synchronized void breakLink(String reason) {
    if (brokenSince >= 0) {
      return;
    }
    brokenSince = System.nanoTime();
    LOG.atWarn().addKeyValue("node", node).addKeyValue("unacked", unacked.size()).addKeyValue("reason", reason)
        .log("link to node broken; parking its frames for resume");
    for (Pending pending : unacked) {
      park(pending.targets(), pending.frame());
    }
    unacked.clear();
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
