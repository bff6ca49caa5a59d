package io.signalmesh.bench;

import java.util.BitSet;

/**
 * The receiving end of one stream (one sender to one target): which sequence numbers arrived,
 * so that a repeat counts as a duplicate and an arrival below the highest seen so far as out of
 * order (over the whole run). Loss is what the sender counted as sent inside the measured
 * window minus what of it arrived once. Guarded by its
 * monitor; in practice only the receiver's event loop touches it until the report is read.
 */
public final class StreamCheck {

  private final BitSet seen = new BitSet();
  private long highest = -1;
  private long uniqueMeasured;
  private long duplicated;
  private long outOfOrder;

  /** Records one arrival; returns false for a duplicate. */
  public synchronized boolean arrived(long seq, boolean measured) {
    if (seq < 0 || seq > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sequence number out of range: " + seq);
    }
    int index = (int) seq;
    if (seen.get(index)) {
      duplicated++;
      return false;
    }
    seen.set(index);
    if (measured) {
      uniqueMeasured++;
    }
    if (seq < highest) {
      outOfOrder++;
    } else {
      highest = seq;
    }
    return true;
  }

  /** Distinct messages of the measured window that arrived. */
  public synchronized long uniqueMeasured() {
    return uniqueMeasured;
  }

  public synchronized long duplicated() {
    return duplicated;
  }

  public synchronized long outOfOrder() {
    return outOfOrder;
  }
}
