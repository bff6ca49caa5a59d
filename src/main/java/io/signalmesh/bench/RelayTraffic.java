package io.signalmesh.bench;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sending side of a relay run on one event loop: its clients take turns, each sending to
 * its room mates in turn, at this loop's share of the total rate, from {@code startNanos} to
 * {@code endNanos}.
 */
public final class RelayTraffic {

  /** One sender: its index in the run, its connection, the ids of its room mates. */
  public record Sender(int index, BenchClient client, List<BenchClient> mates, long[] seqs) {
    public Sender(int index, BenchClient client, List<BenchClient> mates) {
      this(index, client, mates, new long[mates.size()]);
    }
  }

  private final Context context;
  private final List<Sender> senders;
  private final RelayFrames frames;
  private final LongAdder sentMeasured;
  private final LongAdder sent;
  private Pacer pacer;
  private int turn;
  private int[] mateTurn;

  public RelayTraffic(Context context, List<Sender> senders, RelayFrames frames, LongAdder sent, LongAdder sentMeasured) {
    this.context = context;
    this.senders = senders;
    this.frames = frames;
    this.sent = sent;
    this.sentMeasured = sentMeasured;
    this.mateTurn = new int[senders.size()];
  }

  /**
   * Runs the schedule: every frame scheduled in {@code [startNanos, endNanos)} is sent, a late
   * one as soon as the loop gets to it (but never later than a second after the end); a frame
   * counts as measured when its scheduled time is in {@code [windowStartNanos, endNanos)}.
   * Completes with the largest lag behind the schedule (ns) once sending has ended.
   */
  public Future<Long> run(double rate, long startNanos, long windowStartNanos, long endNanos) {
    Promise<Long> done = Promise.promise();
    if (senders.isEmpty()) {
      done.complete(0L);
      return done.future();
    }
    context.runOnContext(v -> {
      pacer = new Pacer(rate, startNanos, Math.max(1, (long) (rate / 100)));
      long total = (long) Math.floor((endNanos - startNanos) * rate / 1e9);
      context.owner().setPeriodic(1, id -> {
        long now = System.nanoTime();
        long first = pacer.issued();
        long n = Math.min(pacer.due(now), total - first);
        for (long k = first; k < first + n; k++) {
          sendOne(pacer.scheduledAt(k) >= windowStartNanos);
        }
        if (first + n >= total || now >= endNanos + 1_000_000_000L) {
          context.owner().cancelTimer(id);
          done.complete(pacer.maxLagNanos());
        }
      });
    });
    return done.future();
  }

  private void sendOne(boolean measured) {
    int s = turn;
    turn = (turn + 1) % senders.size();
    Sender sender = senders.get(s);
    int m = mateTurn[s];
    mateTurn[s] = (m + 1) % sender.mates().size();
    long seq = sender.seqs()[m]++;
    Stamp stamp = new Stamp(sender.index(), seq, System.nanoTime(), measured);
    sender.client().send(frames.frame(sender.mates().get(m).clientId(), stamp));
    sent.increment();
    if (measured) {
      sentMeasured.increment();
    }
  }
}
