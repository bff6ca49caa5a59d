package io.signalmesh.webhook;

import java.time.Duration;

/**
 * When an event whose delivery failed is tried again: after {@code firstDelay}, doubling with
 * each failed attempt up to {@code maxDelay}, times a jitter between 0.5 and 1 so that a
 * receiver that comes back is not hit by every event at once. The jitter is a hash of the entry
 * and attempt, so every node computes the same moment and none takes an entry early.
 *
 * <p>An outbox entry is "idle" since it was last taken. An attempt lasts at most
 * {@code attemptTimeout}; an entry is due again once it has been idle for that plus its delay, so
 * no node takes an entry whose attempt may still be running, and a node that died in the middle
 * of one only delays it. After a failure the entry's idle time is set to {@code attemptTimeout},
 * so the delay counts from the failure.
 */
public record RetryPolicy(Duration attemptTimeout, Duration firstDelay, Duration maxDelay) {

  /** Delays of 1 s, 2 s, 4 s, ... up to a minute: a receiver back from an outage gets its events within a minute. */
  public static RetryPolicy standard(Duration attemptTimeout) {
    return new RetryPolicy(attemptTimeout, Duration.ofSeconds(1), Duration.ofSeconds(60));
  }

  /** The delay after {@code failures} failed attempts (at least 1), jittered for {@code key}. */
  public long delayMillis(String key, int failures) {
    int hash = (key + "/" + failures).hashCode() & 0x7fffffff;
    return delayMillis(failures, (hash % 1000) / 1000.0);
  }

  /** The delay after {@code failures} failed attempts, {@code jitter} from 0 (half the delay) to 1 (all of it). */
  public long delayMillis(int failures, double jitter) {
    long cap = maxDelay.toMillis();
    long delay = firstDelay.toMillis();
    for (int i = 1; i < failures && delay < cap; i++) {
      delay *= 2;
    }
    delay = Math.min(delay, cap);
    return Math.max(1, (long) (delay * (0.5 + jitter / 2)));
  }

  /** Whether an entry taken {@code attempts} times, idle for {@code idleMillis}, may be taken again now. */
  public boolean due(String entryId, int attempts, long idleMillis) {
    return attempts == 0 || idleMillis >= attemptTimeout.toMillis() + delayMillis(entryId, attempts);
  }

  /** The least idle time of any due entry: below it an entry is surely still in its attempt or delay. */
  public long minIdleMillis() {
    return attemptTimeout.toMillis() + Math.max(1, firstDelay.toMillis() / 2);
  }
}
