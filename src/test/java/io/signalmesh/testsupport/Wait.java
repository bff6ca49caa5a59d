package io.signalmesh.testsupport;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Polling with a deadline, for conditions that no message announces (a process state, a Redis key). */
public final class Wait {

  private Wait() {}

  /** Waits until the condition holds, failing with {@code what} after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out after " + timeout.toSeconds() + "s waiting for: " + what);
      }
      pause(Duration.ofMillis(50));
    }
  }

  /** One polling interval (package use only: tests wait for conditions, not for time). */
  static void pause(Duration interval) {
    try {
      TimeUnit.NANOSECONDS.sleep(interval.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
