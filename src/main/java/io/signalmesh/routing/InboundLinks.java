package io.signalmesh.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of every other node's {@link NodeLink}: hands their messages on in the
 * order they were numbered, once each, whatever connection they came over (after a pause the
 * event bus may have opened a second one) and however often they were sent. A message from an
 * older generation of a link, or from a link whose beginning this node never saw, is dropped
 * unacknowledged: it was meant for an earlier run of this node, and its sender parks it for the
 * target's resume when it sees that run declared dead. Thread-safe; messages of one sender are
 * handed on one at a time.
 *
 * @param <M> the message type (kept while an earlier one is missing)
 */
final class InboundLinks<M> {

  /** A gap that long means the missing message is not coming (its sender died with it): what is behind it goes on. */
  static final long GAP_TIMEOUT_NANOS = 30_000_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(InboundLinks.class);

  /** What a sender must be told: everything up to {@code seq} of its incarnation and generation arrived. */
  record Ack(String node, String incarnation, long generation, long seq) {}

  private static final class Inbound<M> {
    final String incarnation;
    final long generation;
    final TreeMap<Long, M> waiting = new TreeMap<>();
    long handed;
    long acked;
    long gapSince = -1;

    Inbound(String incarnation, long generation) {
      this.incarnation = incarnation;
      this.generation = generation;
    }
  }

  private final Map<String, Inbound<M>> senders = new HashMap<>();

  /**
   * Takes message {@code seq} of {@code from}'s link and hands on, in order, every message that is
   * now next in line (none if it is a repeat, from an older generation, or an earlier one is
   * still missing).
   */
  synchronized void accept(String from, String incarnation, long generation, long seq, M message, long nowNanos,
      Consumer<M> handOn) {
    Inbound<M> in = senders.get(from);
    if (in == null || !in.incarnation.equals(incarnation) || generation > in.generation) {
      if (seq != 1) {
        // a link this node never saw begin was meant for an earlier run of it (restarted, or
        // fenced): not handed on, not acknowledged; its sender parks it once it sees that run dead
        return;
      }
      in = new Inbound<>(incarnation, generation);
      senders.put(from, in);
    } else if (generation < in.generation) {
      return;
    }
    if (seq <= in.handed || in.waiting.containsKey(seq)) {
      return;
    }
    if (seq != in.handed + 1) {
      in.waiting.put(seq, message);
      if (in.gapSince < 0) {
        in.gapSince = nowNanos;
      }
      return;
    }
    handOn.accept(message);
    in.handed = seq;
    handWaiting(in, handOn);
    in.gapSince = in.waiting.isEmpty() ? -1 : nowNanos;
  }

  /** The acknowledgements owed, marking them sent. */
  synchronized List<Ack> acksDue() {
    List<Ack> due = new ArrayList<>();
    senders.forEach((node, in) -> {
      if (in.handed > in.acked) {
        in.acked = in.handed;
        due.add(new Ack(node, in.incarnation, in.generation, in.handed));
      }
    });
    return due;
  }

  /** Hands on what waited too long behind a gap, skipping the gap. */
  synchronized void expireGaps(long nowNanos, Consumer<M> handOn) {
    senders.forEach((node, in) -> {
      if (in.gapSince >= 0 && nowNanos - in.gapSince > GAP_TIMEOUT_NANOS) {
        LOG.atWarn().addKeyValue("node", node).addKeyValue("missing", in.waiting.firstKey() - in.handed - 1)
            .log("messages from node never arrived; going on without them");
        skipGap(in, handOn);
      }
    });
  }

  /**
   * The sender was declared dead: whatever waited behind a gap goes on now. Its numbering is
   * kept: a sender that was only paused goes on with it after it rejoined (a restarted one starts
   * a new incarnation).
   */
  synchronized void senderDied(String node, Consumer<M> handOn) {
    Inbound<M> in = senders.get(node);
    if (in != null && !in.waiting.isEmpty()) {
      skipGap(in, handOn);
    }
  }

  /** Forgets everything received and unacknowledged (this node was declared dead: its senders parked it). */
  synchronized void forget() {
    senders.clear();
  }

  private void skipGap(Inbound<M> in, Consumer<M> handOn) {
    in.handed = in.waiting.firstKey() - 1;
    handWaiting(in, handOn);
    in.gapSince = in.waiting.isEmpty() ? -1 : System.nanoTime();
  }

  private void handWaiting(Inbound<M> in, Consumer<M> handOn) {
    while (!in.waiting.isEmpty() && in.waiting.firstKey() == in.handed + 1) {
      handOn.accept(in.waiting.pollFirstEntry().getValue());
      in.handed++;
    }
  }
}
