package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.NodeDirectory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When a node may judge others dead (docs/reliability.md): only once the store has answered its
 * own heartbeats for a whole TTL, so that a store that was away for everyone fences nobody. A
 * judge that may not judge answers without asking the directory (asking declares).
 */
class LivenessJudgeTest {

  private static final Duration TTL = NodeLiveness.TTL;
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final LivenessJudge judge = new LivenessJudge(NodeDirectory.local(), "node-a", now::get);

  @Test
  void aNodeJudgesOnceItsHeartbeatsHaveBeenAnsweredForATtl() {
    judge.heartbeatAnswered(true);
    at(TTL.minusMillis(1));
    judge.heartbeatAnswered(true);
    assertThat(judges()).as("just short of a TTL").isFalse();
    at(TTL);
    assertThat(judges()).isTrue();
  }

  @Test
  void aNodeWhoseStoreNeverAnsweredDoesNotJudge() {
    at(TTL.multipliedBy(10));
    assertThat(judges()).isFalse();
  }

  @Test
  void afterAFailedHeartbeatTheNodeWaitsAWholeTtlFromTheStoresFirstAnswer() {
    judge.heartbeatAnswered(true);
    at(TTL);
    judge.heartbeatFailed();
    assertThat(judges()).as("the store is away").isFalse();
    at(TTL.multipliedBy(3));
    assertThat(judges()).as("the store is still away").isFalse();
    judge.heartbeatAnswered(true);
    at(TTL.multipliedBy(4).minusMillis(1));
    judge.heartbeatAnswered(true);
    assertThat(judges()).as("the others may still be renewing their heartbeats").isFalse();
    at(TTL.multipliedBy(4));
    assertThat(judges()).isTrue();
  }

  @Test
  void aStoreThatLostTheNodesDataStartsTheCountAgain() {
    judge.heartbeatAnswered(true);
    at(TTL.multipliedBy(2));
    judge.heartbeatAnswered(false);
    assertThat(judges()).isFalse();
    at(TTL.multipliedBy(3).minusMillis(1));
    judge.heartbeatAnswered(true);
    assertThat(judges()).isFalse();
    at(TTL.multipliedBy(3));
    assertThat(judges()).isTrue();
  }

  /** Whether the judge asked the directory (a verdict, possibly "nobody dead"), not just answered "cannot judge yet". */
  private boolean judges() {
    return judge.deadNodes().result().isPresent();
  }

  private void at(Duration sinceStart) {
    now.set(1_000_000_000L + sinceStart.toNanos());
  }
}
