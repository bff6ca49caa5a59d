package io.signalmesh.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The receiving side of the numbered streams other nodes send this one ({@link NodeLink}):
 * decides for each message whether it is delivered, and what to acknowledge. Per sending node
 * (and run of it) a frame is delivered only in sequence and only once: a repeat is dropped, and
 * a frame after a gap waits for the missing ones to be sent again.
 *
 * <p>A frame older than {@link #ACCEPT_WITHIN_MILLIS} when its turn comes is refused, not
 * delivered: the stream moves past it, and every acknowledgement names the refused numbers until
 * the sender shows (by its oldest held number) that it has taken them as lost and told their
 * senders. So a late frame never arrives after its sender was told it was lost, and a backlog
 * that built up behind a blocked path does not hold up what follows it.
 */
final class InboundStreams {

  /**
   * Frames older than this (by the sender's first sending) are refused: two seconds before the
   * sender gives them up on its own, so clock skew between nodes of up to that much never lets a
   * frame be delivered after its sender was told it was lost.
   */
  static final long ACCEPT_WITHIN_MILLIS = NodeLink.GIVE_UP_AFTER_MILLIS - 2_000;
  /** A gap is reported to the sender at most this often per stream. */
  static final long NACK_INTERVAL_NANOS = 200_000_000L;
  /** Refused numbers kept for one stream at most; beyond it the stream waits instead of refusing. */
  static final int MAX_REFUSED = 10_000;

  enum Verdict {
    /** In sequence: deliver it. */
    DELIVER,
    /** Delivered or refused before (sent again): drop it. */
    REPEAT,
    /** Something before it is missing: drop it; the sender sends again from the gap. */
    GAP,
    /** In sequence but too old: not delivered; the acks tell its sender it was refused. */
    REFUSED
  }

  /**
   * An acknowledgement (or a gap report): everything of {@code run} below {@code expected}
   * arrived, and of those the numbers in {@code refused} were refused, not delivered, and those
   * in {@code declined} were taken in turn but their target could not take them (its resume
   * queue full, or no session of it here).
   */
  record Receipt(String node, String run, long expected, List<Long> refused, List<Long> declined) {
    Receipt(String node, String run, long expected, List<Long> refused) {
      this(node, run, expected, refused, List.of());
    }
  }

  private static final class Stream {
    final String run;
    long expected;
    boolean ackDue;
    long lastNackNanos;
    long lastNackExpected = -1;
    final TreeSet<Long> refused = new TreeSet<>();
    final TreeSet<Long> declined = new TreeSet<>();

    Stream(String run, long expected) {
      this.run = run;
      this.expected = expected;
    }

    Receipt receipt(String node) {
      return new Receipt(node, run, expected, List.copyOf(refused), List.copyOf(declined));
    }
  }

  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();

  /**
   * Judges one message from {@code node}.
   *
   * @param base the oldest sequence number the sender still holds (everything before it was acknowledged or given up)
   * @param sentAtMillis the sender's wall clock when it first sent the frame
   */
  Verdict accept(String node, String run, long seq, long base, long sentAtMillis, long nowMillis) {
    Stream stream = streams.compute(node, (n, current) -> current == null || !current.run.equals(run)
        ? new Stream(run, base) : current);
    synchronized (stream) {
      if (base > stream.expected) {
        stream.expected = base;
      }
      // the sender no longer holds these: it has heard they were refused, or given them up itself
      stream.refused.headSet(base).clear();
      stream.declined.headSet(base).clear();
      if (seq < stream.expected) {
        stream.ackDue = true;
        return Verdict.REPEAT;
      }
      if (seq > stream.expected) {
        return Verdict.GAP;
      }
      if (nowMillis - sentAtMillis > ACCEPT_WITHIN_MILLIS) {
        if (stream.refused.size() >= MAX_REFUSED) {
          return Verdict.GAP;
        }
        stream.refused.add(seq);
        stream.expected++;
        stream.ackDue = true;
        return Verdict.REFUSED;
      }
      stream.expected++;
      stream.ackDue = true;
      return Verdict.DELIVER;
    }
  }

  /**
   * The message {@code seq} of {@code run} from {@code node}, just delivered in turn, was not
   * taken by its target: the acknowledgements name it until the sender shows it heard (its
   * oldest held number moves past it), so that the sender can tell the relay's sender. Beyond
   * {@link #MAX_REFUSED} such numbers (a sender that stopped reading acks) further ones are not
   * named; returns false then.
   */
  boolean declined(String node, String run, long seq) {
    Stream stream = streams.get(node);
    if (stream == null || !stream.run.equals(run)) {
      return false;
    }
    synchronized (stream) {
      if (stream.declined.size() >= MAX_REFUSED || seq >= stream.expected) {
        return false;
      }
      stream.declined.add(seq);
      stream.ackDue = true;
      return true;
    }
  }

  /** The gap report to send for {@code node} now, or null if one went out recently for the same gap. */
  Receipt gapReport(String node, long nowNanos) {
    Stream stream = streams.get(node);
    if (stream == null) {
      return null;
    }
    synchronized (stream) {
      if (stream.lastNackExpected == stream.expected && nowNanos - stream.lastNackNanos < NACK_INTERVAL_NANOS) {
        return null;
      }
      stream.lastNackExpected = stream.expected;
      stream.lastNackNanos = nowNanos;
      return stream.receipt(node);
    }
  }

  /** Acknowledgements due since the last call: one per stream that moved on or saw a repeat. */
  List<Receipt> acks() {
    List<Receipt> due = new ArrayList<>();
    streams.forEach((node, stream) -> {
      synchronized (stream) {
        if (stream.ackDue) {
          stream.ackDue = false;
          due.add(stream.receipt(node));
        }
      }
    });
    return due;
  }
}
