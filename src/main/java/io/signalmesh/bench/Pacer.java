package io.signalmesh.bench;

/**
 * How many actions are due at a given moment for a fixed rate: the schedule is
 * {@code start + k / rate}, so a late tick catches up instead of lowering the rate, and a tick
 * never issues more than {@code maxPerTick} (what is left stays due for the next tick).
 * Not thread-safe: one pacer belongs to one event loop.
 */
public final class Pacer {

  private final double perNano;
  private final long startNanos;
  private final long maxPerTick;
  private long issued;
  private long maxLagNanos;

  /**
   * @param ratePerSecond actions per second (> 0)
   * @param startNanos    {@link System#nanoTime()} of the schedule's start
   * @param maxPerTick    largest number of actions one tick may issue
   */
  public Pacer(double ratePerSecond, long startNanos, long maxPerTick) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    this.perNano = ratePerSecond / 1e9;
    this.startNanos = startNanos;
    this.maxPerTick = maxPerTick;
  }

  /** The actions due at {@code nowNanos} that have not been issued yet; counts them as issued. */
  public long due(long nowNanos) {
    long scheduled = (long) Math.floor((nowNanos - startNanos) * perNano);
    long owed = scheduled - issued;
    if (owed <= 0) {
      return 0;
    }
    long now = Math.min(owed, maxPerTick);
    // how late the oldest action handed out now is against its schedule
    long oldestDue = startNanos + (long) Math.ceil((issued + 1) / perNano);
    maxLagNanos = Math.max(maxLagNanos, nowNanos - oldestDue);
    issued += now;
    return now;
  }

  /** When the {@code k}-th action (from 0) is scheduled. */
  public long scheduledAt(long k) {
    return startNanos + (long) Math.ceil(k / perNano);
  }

  public long issued() {
    return issued;
  }

  /** The largest delay between an action's scheduled time and the tick that issued it. */
  public long maxLagNanos() {
    return maxLagNanos;
  }
}
