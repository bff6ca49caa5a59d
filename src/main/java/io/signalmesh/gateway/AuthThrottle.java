package io.signalmesh.gateway;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Slows down guessing of room tokens and resume tokens, per client address. After a failure
 * (bad room token, unknown resume token) every further attempt from that address that carries a
 * token waits before it is even looked at, for a delay that doubles with each failure up to a
 * cap; the attempts of one address are spaced out one after the other, so that opening many
 * connections in parallel does not guess faster. An address quiet for a minute starts afresh.
 * Addresses that never failed wait for nothing. Thread-safe: shared by every event loop.
 */
public final class AuthThrottle {

  /** What {@link #reserve} answers when the address has queued up more waiting than this. */
  public static final long TOO_MANY = -1;
  private static final long MAX_QUEUE_NANOS = Duration.ofSeconds(30).toNanos();

  private final long firstDelayNanos;
  private final long maxDelayNanos;
  private final long memoryNanos;
  private final Map<String, State> states = new HashMap<>();

  private static final class State {
    int failures;
    long lastFailureAt;
    long nextSlotAt;
  }

  public AuthThrottle(Duration firstDelay, Duration maxDelay, Duration memory) {
    this.firstDelayNanos = firstDelay.toNanos();
    this.maxDelayNanos = maxDelay.toNanos();
    this.memoryNanos = memory.toNanos();
  }

  /**
   * Reserves the address's next turn: how many milliseconds this attempt waits before it is
   * evaluated (0 for an address without recent failures), or {@link #TOO_MANY} when the queue
   * of the address is full and the attempt should be refused unexamined.
   */
  public synchronized long reserve(String address, long nowNanos) {
    State state = current(address, nowNanos);
    if (state == null) {
      return 0;
    }
    long start = Math.max(nowNanos, state.nextSlotAt);
    long wait = start - nowNanos;
    if (wait > MAX_QUEUE_NANOS) {
      return TOO_MANY;
    }
    state.nextSlotAt = start + delayNanos(state.failures);
    return Math.max(0, (wait + delayNanos(state.failures)) / 1_000_000);
  }

  /** A token from the address was bad. */
  public synchronized void failed(String address, long nowNanos) {
    State state = current(address, nowNanos);
    if (state == null) {
      state = new State();
      state.nextSlotAt = nowNanos;
      states.put(address, state);
    }
    state.failures++;
    state.lastFailureAt = nowNanos;
  }

  /** Failures remembered for the address (0 once it has been quiet long enough). */
  public synchronized int failures(String address, long nowNanos) {
    State state = current(address, nowNanos);
    return state == null ? 0 : state.failures;
  }

  /** Forgets addresses quiet for long enough; called periodically so the table stays small. */
  public synchronized void sweep(long nowNanos) {
    states.values().removeIf(state -> nowNanos - state.lastFailureAt > memoryNanos && nowNanos - state.nextSlotAt > 0);
  }

  private State current(String address, long nowNanos) {
    State state = states.get(address);
    if (state != null && nowNanos - state.lastFailureAt > memoryNanos && nowNanos - state.nextSlotAt > 0) {
      states.remove(address);
      return null;
    }
    return state;
  }

  private long delayNanos(int failures) {
    if (failures <= 0) {
      return 0;
    }
    int doublings = Math.min(failures - 1, 30);
    long delay = firstDelayNanos << doublings;
    return delay < 0 || delay > maxDelayNanos ? maxDelayNanos : delay;
  }
}
