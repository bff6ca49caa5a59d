package io.signalmesh.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry schedule every node computes alike: capped exponential backoff with jitter, after the attempt's timeout. */
class RetryPolicyTest {

  private final RetryPolicy policy = RetryPolicy.standard(Duration.ofSeconds(5));

  @Test
  void delaysDoubleFromOneSecondUpToAMinuteWithJitterBetweenHalfAndAll() {
    long[] full = {1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000};
    for (int failures = 1; failures <= full.length; failures++) {
      for (int entry = 0; entry < 50; entry++) {
        long delay = policy.delayMillis("entry-" + entry, failures);
        assertThat(delay).isBetween(full[failures - 1] / 2, full[failures - 1]);
      }
    }
    assertThat(policy.delayMillis(1_000_000, 1.0)).isEqualTo(60_000);
  }

  @Test
  void everyNodeComputesTheSameDelayForAnEntryButEntriesSpreadOut() {
    assertThat(policy.delayMillis("1700000000000-0", 3)).isEqualTo(policy.delayMillis("1700000000000-0", 3));
    assertThat(java.util.stream.IntStream.range(0, 20).mapToLong(i -> policy.delayMillis("e" + i, 3)).distinct().count())
        .isGreaterThan(10);
  }

  @Test
  void aNewEntryIsDueAtOnceAndATakenOneOnlyAfterTheTimeoutAndItsDelay() {
    long delay = policy.delayMillis("e", 1);

    assertThat(policy.due("e", 0, 0)).isTrue();
    assertThat(policy.due("e", 1, 5_000 + delay - 1)).isFalse();
    assertThat(policy.due("e", 1, 5_000 + delay)).isTrue();
    assertThat(policy.minIdleMillis()).isLessThanOrEqualTo(5_000 + delay).isGreaterThan(5_000);
  }
}
