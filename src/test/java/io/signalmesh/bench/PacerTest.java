package io.signalmesh.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The schedule is start + k / rate, whatever the ticks look like. */
class PacerTest {

  private static final long MS = 1_000_000L;

  @Test
  void issuesWhatTheRateAllowsAtEachMoment() {
    Pacer pacer = new Pacer(1000, 0, Long.MAX_VALUE);
    assertThat(pacer.due(0)).isZero();
    assertThat(pacer.due(5 * MS)).isEqualTo(5);
    assertThat(pacer.due(5 * MS)).isZero();
    assertThat(pacer.due(10 * MS)).isEqualTo(5);
    assertThat(pacer.issued()).isEqualTo(10);
  }

  @Test
  void aLateTickCatchesUpAndRecordsTheLag() {
    Pacer pacer = new Pacer(1000, 0, Long.MAX_VALUE);
    pacer.due(1 * MS);
    assertThat(pacer.due(101 * MS)).isEqualTo(100);
    assertThat(pacer.maxLagNanos()).isEqualTo(99 * MS);
  }

  @Test
  void aTickIssuesAtMostItsShareAndKeepsTheRestDue() {
    Pacer pacer = new Pacer(1000, 0, 30);
    assertThat(pacer.due(100 * MS)).isEqualTo(30);
    assertThat(pacer.due(100 * MS)).isEqualTo(30);
    assertThat(pacer.issued()).isEqualTo(60);
  }

  @Test
  void nothingIsDueBeforeTheStart() {
    Pacer pacer = new Pacer(1000, 50 * MS, Long.MAX_VALUE);
    assertThat(pacer.due(10 * MS)).isZero();
    assertThat(pacer.due(52 * MS)).isEqualTo(2);
  }

  @Test
  void aRateMustBePositive() {
    assertThatThrownBy(() -> new Pacer(0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
