package io.signalmesh.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Checks every relayed frame one client receives against its stamp: the server-set
 * {@code senderId} must be the id of the client that sent it, and per sender the sequence
 * numbers must arrive once and in order. Latency (send to arrival) is recorded for the frames
 * of the measured window.
 */
public final class RelayReceiver {

  /** Counters shared by every receiver of a run. */
  public record Totals(LongAdder arrived, LongAdder wrongSender, LongAdder unstamped, Recorder latency) {
    public Totals() {
      this(new LongAdder(), new LongAdder(), new LongAdder(), new Recorder(Report.MAX_MICROS, 3));
    }
  }

  private final String relayType;
  private final List<BenchClient> clients;
  private final Totals totals;
  private final Map<Integer, StreamCheck> streams = new ConcurrentHashMap<>();

  /**
   * @param relayType the message type relayed (ice-candidate)
   * @param clients   every client of the run by index, to know who really sent a stamp
   */
  public RelayReceiver(String relayType, List<BenchClient> clients, Totals totals) {
    this.relayType = relayType;
    this.clients = clients;
    this.totals = totals;
  }

  public void accept(Frame frame) {
    if (!relayType.equals(frame.type())) {
      return;
    }
    long now = System.nanoTime();
    totals.arrived().increment();
    Stamp stamp = Stamp.decode(frame.string(Stamp.FIELD));
    if (stamp == null || stamp.from() < 0 || stamp.from() >= clients.size()) {
      totals.unstamped().increment();
      return;
    }
    if (!clients.get(stamp.from()).clientId().equals(frame.senderId())) {
      totals.wrongSender().increment();
    }
    boolean first = streams.computeIfAbsent(stamp.from(), k -> new StreamCheck()).arrived(stamp.seq(), stamp.measured());
    if (first && stamp.measured()) {
      totals.latency().recordValue(Math.max(0, Math.min(Report.MAX_MICROS, (now - stamp.sentNanos()) / 1000)));
    }
  }

  public long uniqueMeasured() {
    return streams.values().stream().mapToLong(StreamCheck::uniqueMeasured).sum();
  }

  public long duplicated() {
    return streams.values().stream().mapToLong(StreamCheck::duplicated).sum();
  }

  public long outOfOrder() {
    return streams.values().stream().mapToLong(StreamCheck::outOfOrder).sum();
  }
}
