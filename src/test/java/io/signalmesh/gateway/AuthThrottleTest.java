package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The growing delay per address, on a clock the test moves. */
@Timeout(10)
class AuthThrottleTest {

  private static final long MS = 1_000_000L;
  private final AuthThrottle throttle = new AuthThrottle(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMinutes(1));

  @Test
  void anAddressWithoutFailuresNeverWaits() {
    assertThat(throttle.reserve("10.0.0.1", 0)).isZero();
    assertThat(throttle.reserve("10.0.0.1", 0)).isZero();
  }

  @Test
  void theDelayDoublesPerFailureUpToTheCap() {
    long now = 0;
    long[] waits = new long[8];
    for (int i = 0; i < waits.length; i++) {
      throttle.failed("10.0.0.1", now);
      waits[i] = throttle.reserve("10.0.0.1", now);
      now += waits[i] * MS;
    }
    assertThat(waits).containsExactly(100, 200, 400, 800, 1600, 3200, 5000, 5000);
    assertThat(throttle.reserve("10.0.0.2", now)).as("another address").isZero();
  }

  @Test
  void parallelAttemptsFromOneAddressAreSpacedOut() {
    throttle.failed("10.0.0.1", 0);
    throttle.failed("10.0.0.1", 0);
    assertThat(throttle.reserve("10.0.0.1", 0)).isEqualTo(200);
    assertThat(throttle.reserve("10.0.0.1", 0)).isEqualTo(400);
    assertThat(throttle.reserve("10.0.0.1", 0)).isEqualTo(600);
  }

  @Test
  void aFullQueueIsRefusedUnexamined() {
    for (int i = 0; i < 10; i++) {
      throttle.failed("10.0.0.1", 0);
    }
    long answer = 0;
    for (int i = 0; i < 10 && answer != AuthThrottle.TOO_MANY; i++) {
      answer = throttle.reserve("10.0.0.1", 0);
    }
    assertThat(answer).isEqualTo(AuthThrottle.TOO_MANY);
  }

  @Test
  void aQuietMinuteIsForgiven() {
    throttle.failed("10.0.0.1", 0);
    long later = Duration.ofSeconds(61).toNanos();
    assertThat(throttle.failures("10.0.0.1", later)).isZero();
    assertThat(throttle.reserve("10.0.0.1", later)).isZero();
    throttle.sweep(later);
  }
}
