package io.signalmesh.session;

/**
 * Per-connection message rate limit: {@code burst} messages at once, refilled at
 * {@code ratePerSecond}. Confined to the connection's event loop, so not synchronised.
 */
public final class TokenBucket {

  private final int ratePerSecond;
  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long refilledAt;

  public TokenBucket(int ratePerSecond, int burst, long nowNanos) {
    this.ratePerSecond = ratePerSecond;
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = nowNanos;
  }

  public int ratePerSecond() {
    return ratePerSecond;
  }

  /** Takes one token if there is one. */
  public boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - refilledAt;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      refilledAt = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
