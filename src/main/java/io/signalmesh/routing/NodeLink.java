package io.signalmesh.routing;

import static io.signalmesh.routing.LinkHeaders.AT;
import static io.signalmesh.routing.LinkHeaders.BASE;
import static io.signalmesh.routing.LinkHeaders.FROM;
import static io.signalmesh.routing.LinkHeaders.RUN;
import static io.signalmesh.routing.LinkHeaders.SEQ;
import static io.signalmesh.routing.LinkHeaders.TO_RUN;

import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.signalmesh.session.ClientId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.buffer.BufferInternal;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's sending side towards one other node: a numbered stream the receiving side
 * ({@link InboundStreams}) delivers in order and exactly once, and acknowledges a few times a
 * second (cumulatively, not per message).
 *
 * <p>Each frame is kept until acknowledged. A frame the network lost (a cut connection, a stall)
 * is sent again when the receiver reports a gap or after {@link #RETRANSMIT_AFTER_NANOS}
 * without any ack at all (acks that come late under load, but come, send nothing again). How an unacknowledged frame ends:
 * <ul>
 *   <li>the node is known dead (its process refused the connection, or the mesh declared it
 *       dead: it stopped heartbeating): the frame, and every frame sent while the link stays
 *       broken, is parked in order for its targets' resume;
 *   <li>the node lives but nothing gets through for {@link #GIVE_UP_AFTER_MILLIS} (a blocked
 *       port, a partition): the frame is given up and its sender told (an {@code error} frame
 *       for a relay), never dropped silently. The receiving side refuses frames older than
 *       {@link InboundStreams#ACCEPT_WITHIN_MILLIS}, so a frame given up is never delivered
 *       later.
 * </ul>
 *
 * <p>A node whose inbox is gone from the cluster is not taken for dead: Hazelcast drops a member
 * after 5 s without heartbeats, a paused one as well as a dead one, and a node just back from a
 * pause sees every other inbox gone. Parking then would hide frames from a node that goes on
 * serving its clients (they collect parked frames only when they resume). Its frames are held
 * and sent again like any unconfirmed frame: delivered once it is back in the cluster, parked if
 * it is declared dead meanwhile, else given up with their senders told.
 *
 * <p>Frames carry the run of the receiving node they are meant for, as its acknowledgements name
 * it: a node that restarted, or rejoined after it was declared dead, drops (unacknowledged) what
 * was meant for its earlier run, which this side parks once it sees that run dead. Until a run
 * has acknowledged anything (a new link, or after the link broke) frames name none.
 *
 * <p>A frame is held as its UTF-8 bytes, the body of the event-bus message as they are: a relay
 * keeps the sender's bytes from the read to the receiving node's write, and a frame sent again
 * is not encoded again. Only a parked frame is decoded (Redis keeps it as text).
 *
 * <p>Frames sent to the node in one turn of an event loop go in one message ({@link LinkBatch}),
 * written once the turn's I/O is handled: no timer, so nothing waits for more than that turn.
 * Only to a node whose acknowledgements say it takes batches (an older one does not): until one says so, after the
 * link broke, and for every frame sent again, each frame is a message of its own, so a node that
 * restarted as an older version still gets what it can read.
 */
final class NodeLink {

  /** A frame with no ack for this long is sent again. */
  static final long RETRANSMIT_AFTER_NANOS = 1_000_000_000L;
  /**
   * A frame unconfirmed for this long is given up. Longer than failure detection (heartbeat
   * TTL 5 s + a check every second), so a dead node's frames are parked, not failed.
   */
  static final long GIVE_UP_AFTER_MILLIS = 8_000;
  /** After this, a broken link is tried again (the node may be back, e.g. restarted under the same id). */
  static final long RETRY_AFTER_NANOS = 10_000_000_000L;
  /**
   * At most one write in this long is watched for its outcome. The outcome comes back on the
   * event loop that sent the frame, a hand-off (and a wake-up) per frame when the connection to
   * the node lives on another loop. A refused connection fails every write, so one watched write
   * in 10 ms tells a dead process as well; the frames written between are held like any
   * unconfirmed frame, and parked with the rest.
   */
  static final long WATCH_A_WRITE_EVERY_NANOS = 10_000_000L;
  /**
   * Frames sent to the node in one turn of an event loop go together in one message, up to this
   * many: each message is a write on this node and a wake-up and a read on the other, which cost
   * more than the frames (docs/benchmarks.md, "Two nodes").
   */
  static final int MAX_GATHERED = 64;
  /** ... or up to this many bytes of frames. */
  static final int MAX_GATHERED_BYTES = 64 * 1024;
  /** Frames kept for replay at most; beyond it the oldest are given up (acks stopped for far too long). */
  static final int MAX_UNACKED = 50_000;
  private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);

  /**
   * A frame sent and not yet acknowledged: its UTF-8 bytes (never changed: shared by every
   * sending of it); {@code origin} is the client that sent it, if it is a relay.
   */
  static final class Pending {
    final long seq;
    final long firstSentMillis;
    final List<ClientId> targets;
    final byte[] frame;
    final MultiMap headers;
    final ClientId origin;
    long lastSentNanos;

    Pending(long seq, long firstSentMillis, long nowNanos, List<ClientId> targets, byte[] frame, MultiMap headers,
        ClientId origin) {
      this.seq = seq;
      this.firstSentMillis = firstSentMillis;
      this.lastSentNanos = nowNanos;
      this.targets = targets;
      this.frame = frame;
      this.headers = headers;
      this.origin = origin;
    }
  }

  private final String node;
  private final String address;
  private final String self;
  private final String run;
  private final EventBus eventBus;
  private final ParkedFrames parked;
  private final Consumer<List<Pending>> givenUp;
  private final NotTaken notTaken;
  private final ArrayDeque<Pending> unacked = new ArrayDeque<>();
  private long nextSeq = 1;
  /** The receiving node's run, from its acks; null until it acknowledged something, and after the link broke. */
  private String peerRun;
  private long brokenSince = -1;
  private long lastRetransmitNanos;
  private long lastWatchedWriteNanos = System.nanoTime() - WATCH_A_WRITE_EVERY_NANOS;
  /** Frames of {@link #unacked} not written yet: they go together at the end of the loop's turn. */
  private final List<Pending> gathering = new ArrayList<>();
  private boolean gatheringScheduled;
  private int gatheringBytes;
  /** Whether the node's last acknowledgement said it takes batches. */
  private boolean peerTakesBatches;
  /** When an ack last confirmed something: a receiver that acks, however late, is not flooded with resends. */
  private long lastProgressNanos = System.nanoTime();
  /** Frames given up since the node last confirmed anything (for logging once per episode). */
  private long givenUpInEpisode;
  private Future<?> parking = Future.succeededFuture();
  /** Whether the node's missing inbox was logged since it last confirmed anything. */
  private boolean inboxMissingLogged;

  /** Told of a relay its target did not take: its resume queue is full, or it is gone. */
  @FunctionalInterface
  interface NotTaken {
    void notTaken(ClientId origin, ClientId target, byte[] frame);
  }

  /**
   * @param givenUp told of frames given up while the node lives (called outside this link's lock)
   * @param notTaken told of relays the node (or the parked inbox) did not take for their target
   */
  NodeLink(String node, String self, String run, EventBus eventBus, ParkedFrames parked, Consumer<List<Pending>> givenUp,
      NotTaken notTaken) {
    this.node = node;
    this.address = NodeInbox.address(node);
    this.self = self;
    this.run = run;
    this.eventBus = eventBus;
    this.parked = parked;
    this.givenUp = givenUp;
    this.notTaken = notTaken;
  }

  /** Sends a frame given as its UTF-8 bytes, which must not change afterwards (they are sent again as they are). */
  void send(List<ClientId> targets, byte[] frame, DeliveryOptions options, ClientId origin) {
    List<Pending> dropped = List.of();
    synchronized (this) {
      long now = System.nanoTime();
      if (brokenSince >= 0) {
        if (now - brokenSince < RETRY_AFTER_NANOS) {
          park(targets, frame, origin);
          return;
        }
        brokenSince = -1;
      }
      Pending pending = new Pending(nextSeq++, System.currentTimeMillis(), now, targets, frame, options.getHeaders(),
          origin);
      unacked.add(pending);
      if (unacked.size() > MAX_UNACKED) {
        dropped = List.of(unacked.poll());
        if (gathering.remove(dropped.get(0))) {
          gatheringBytes -= dropped.get(0).frame.length;
        }
      }
      gathering.add(pending);
      gatheringBytes += frame.length;
      Context context = Vertx.currentContext();
      if (!peerTakesBatches || context == null || !context.isEventLoopContext() || gathering.size() >= MAX_GATHERED
          || gatheringBytes >= MAX_GATHERED_BYTES) {
        writeGathered(now);
      } else if (!gatheringScheduled) {
        gatheringScheduled = true;
        // a task queued from the loop runs after the I/O of this turn, without waking anything
        context.runOnContext(ignored -> gatheringDue());
      }
    }
    report(dropped);
  }

  private synchronized void gatheringDue() {
    gatheringScheduled = false;
    writeGathered(System.nanoTime());
  }

  /** Writes what was gathered: one frame as a message of its own, more in one {@link LinkBatch}. */
  private void writeGathered(long nowNanos) {
    if (gathering.isEmpty()) {
      return;
    }
    if (gathering.size() == 1) {
      write(gathering.get(0), nowNanos);
    } else {
      DeliveryOptions options = streamHeaders(new DeliveryOptions().addHeader(LinkHeaders.BATCH,
          Integer.toString(gathering.size())), gathering.get(0).seq);
      writeMessage(options, LinkBatch.encode(gathering), nowNanos);
    }
    clearGathered();
  }

  private void clearGathered() {
    gathering.clear();
    gatheringBytes = 0;
  }

  /**
   * The receiver has everything up to {@code seq} of run {@code ackedRun} (null: an older node
   * that does not say); of those, it refused the numbers in {@code refused} as too old: their
   * senders are told.
   */
  void ack(String ackedRun, String byRun, boolean takesBatches, long seq, List<Long> refused, List<Long> declined) {
    List<Pending> lost = new ArrayList<>();
    List<Pending> notTakenFrames = new ArrayList<>();
    synchronized (this) {
      acknowledge(ackedRun, byRun, takesBatches, seq, refused, declined, lost, notTakenFrames);
    }
    report(lost);
    reportNotTaken(notTakenFrames);
  }

  /** The receiver saw a gap: it has everything below {@code expected} and wants the rest again. */
  void nack(String nackedRun, String byRun, boolean takesBatches, long expected, List<Long> refused,
      List<Long> declined) {
    if (nackedRun == null || !nackedRun.equals(run)) {
      return;
    }
    List<Pending> lost = new ArrayList<>();
    List<Pending> notTakenFrames = new ArrayList<>();
    synchronized (this) {
      acknowledge(nackedRun, byRun, takesBatches, expected - 1, refused, declined, lost, notTakenFrames);
      if (brokenSince < 0) {
        retransmit(System.nanoTime());
      }
    }
    report(lost);
    reportNotTaken(notTakenFrames);
  }

  private void acknowledge(String ackedRun, String byRun, boolean takesBatches, long seq, List<Long> refused,
      List<Long> declined, List<Pending> lost, List<Pending> notTakenFrames) {
    if (ackedRun != null && !ackedRun.equals(run)) {
      return;
    }
    if (byRun != null && brokenSince < 0) {
      peerRun = byRun;
      peerTakesBatches = takesBatches;
    }
    boolean confirmed = false;
    while (!unacked.isEmpty() && unacked.peek().seq <= seq) {
      Pending done = unacked.poll();
      lastProgressNanos = System.nanoTime();
      if (refused.contains(done.seq)) {
        lost.add(done);
      } else {
        confirmed = true;
        if (declined.contains(done.seq)) {
          notTakenFrames.add(done);
        }
      }
    }
    if (confirmed) {
      inboxMissingLogged = false;
    }
    if (confirmed && givenUpInEpisode > 0) {
      LOG.atInfo().addKeyValue("node", node).addKeyValue("givenUp", givenUpInEpisode).log("node confirming frames again");
      givenUpInEpisode = 0;
    }
  }

  /** Every few hundred ms: gives up frames too old, sends again what waits too long for an ack. */
  void checkAcks(long nowNanos, long nowMillis) {
    List<Pending> expired = new ArrayList<>();
    synchronized (this) {
      if (brokenSince >= 0) {
        return;
      }
      while (!unacked.isEmpty() && nowMillis - unacked.peek().firstSentMillis >= GIVE_UP_AFTER_MILLIS) {
        expired.add(unacked.poll());
      }
      Pending oldest = unacked.peek();
      if (oldest != null && nowNanos - oldest.lastSentNanos >= RETRANSMIT_AFTER_NANOS
          && nowNanos - lastProgressNanos >= RETRANSMIT_AFTER_NANOS
          && nowNanos - lastRetransmitNanos >= RETRANSMIT_AFTER_NANOS) {
        retransmit(nowNanos);
      }
    }
    report(expired);
  }

  /** Tells the senders of frames that will never be delivered; logged once per episode. */
  private void report(List<Pending> lost) {
    if (lost.isEmpty()) {
      return;
    }
    boolean first;
    synchronized (this) {
      first = givenUpInEpisode == 0;
      givenUpInEpisode += lost.size();
    }
    if (first) {
      LOG.atWarn().addKeyValue("node", node).addKeyValue("frames", lost.size())
          .addKeyValue("seconds", GIVE_UP_AFTER_MILLIS / 1000)
          .log("node alive but not confirming frames in time: giving them up, their senders told");
    }
    givenUp.accept(lost);
  }

  private void reportNotTaken(List<Pending> frames) {
    for (Pending pending : frames) {
      if (pending.origin != null) {
        pending.targets.forEach(target -> notTaken.notTaken(pending.origin, target, pending.frame));
      }
    }
  }

  /** Whether the node is known dead (frames for it are parked). */
  synchronized boolean broken() {
    return brokenSince >= 0;
  }

  synchronized int unconfirmed() {
    return unacked.size();
  }

  /** The node is known dead: stop sending to it and park what it did not confirm. */
  synchronized void breakLink(String reason) {
    if (brokenSince >= 0) {
      return;
    }
    brokenSince = System.nanoTime();
    // whichever run of the node answers next is a new one (or this one, fenced): it learns of frames from now on
    peerRun = null;
    peerTakesBatches = false;
    clearGathered();
    LOG.atWarn().addKeyValue("node", node).addKeyValue("unacked", unacked.size()).addKeyValue("reason", reason)
        .log("link to node broken; parking its frames for resume");
    for (Pending pending : unacked) {
      park(pending.targets, pending.frame, pending.origin);
    }
    unacked.clear();
  }

  /**
   * The node heartbeats again (restarted, or rejoined after it was declared dead): frames go to
   * it again at once, not only after {@link #RETRY_AFTER_NANOS}, since its new clients would
   * never collect what is parked.
   */
  synchronized void alive() {
    if (brokenSince >= 0) {
      brokenSince = -1;
      LOG.atInfo().addKeyValue("node", node).log("node alive again; sending to it again");
    }
  }

  private void retransmit(long nowNanos) {
    if (unacked.isEmpty()) {
      return;
    }
    lastRetransmitNanos = nowNanos;
    LOG.atDebug().addKeyValue("node", node).addKeyValue("from", unacked.peek().seq).addKeyValue("frames", unacked.size())
        .log("sending unacknowledged frames again");
    // one message each (what was gathered too): a node that restarted as an older version reads them
    clearGathered();
    // a copy: a write that fails at once may break the link, which empties the queue
    for (Pending pending : List.copyOf(unacked)) {
      pending.lastSentNanos = nowNanos;
      write(pending, nowNanos);
    }
  }

  private void write(Pending pending, long nowNanos) {
    DeliveryOptions options = new DeliveryOptions();
    if (pending.headers != null) {
      pending.headers.forEach(options::addHeader);
    }
    options.addHeader(SEQ, Long.toString(pending.seq)).addHeader(AT, Long.toString(pending.firstSentMillis));
    // the bytes wrapped, not copied: the event bus copies them into the message it writes to the node
    writeMessage(streamHeaders(options, pending.seq), BufferInternal.buffer(Unpooled.wrappedBuffer(pending.frame)), nowNanos);
  }

  /** Adds what every message of the stream carries: sender, run, base and the receiver's run. */
  private DeliveryOptions streamHeaders(DeliveryOptions options, long firstSeq) {
    options.addHeader(FROM, self).addHeader(RUN, run)
        .addHeader(BASE, Long.toString(unacked.isEmpty() ? firstSeq : unacked.peek().seq));
    if (peerRun != null) {
      options.addHeader(TO_RUN, peerRun);
    }
    return options;
  }

  private void writeMessage(DeliveryOptions options, Buffer body, long nowNanos) {
    if (nowNanos - lastWatchedWriteNanos >= WATCH_A_WRITE_EVERY_NANOS) {
      lastWatchedWriteNanos = nowNanos;
      eventBus.<Buffer>sender(address, options).write(body).onFailure(this::writeFailed);
    } else {
      eventBus.send(address, body, options);
    }
  }

  /**
   * A refused connection means the process is gone: park now, so that its clients find the
   * frames when they resume. Anything else (no inbox in the cluster, a connect timeout, a reset)
   * may be a pause or the network: the frame stays held and is sent again.
   */
  private void writeFailed(Throwable failure) {
    if (failure instanceof ConnectException && !(failure instanceof ConnectTimeoutException)) {
      breakLink("write failed: " + failure.getMessage());
    } else if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
      inboxMissing();
    } else {
      LOG.atDebug().addKeyValue("node", node).addKeyValue("error", failure.getMessage())
          .log("write to node failed; will send again");
    }
  }

  private synchronized void inboxMissing() {
    if (inboxMissingLogged || brokenSince >= 0) {
      return;
    }
    inboxMissingLogged = true;
    LOG.atInfo().addKeyValue("node", node).addKeyValue("unacked", unacked.size())
        .log("node's inbox not in the cluster (paused, cut off or dead): holding its frames until it is back or declared dead");
  }

  /** Parks the frame for its targets' resume; a relay's sender is told if its target's parked inbox is full. */
  private void park(List<ClientId> targets, byte[] frame, ClientId origin) {
    if (frame.length == 0) {
      return;
    }
    String text = new String(frame, StandardCharsets.UTF_8);
    for (ClientId target : targets) {
      // chained, so a client's frames are parked in the order they were sent
      parking = parking.transform(ignored -> parked.park(target, text).onSuccess(kept -> {
        if (!kept && origin != null) {
          notTaken.notTaken(origin, target, frame);
        }
      }));
    }
  }
}
