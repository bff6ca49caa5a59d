package io.signalmesh.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.Wait;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Outbox} promises the deliverers: each entry to one node at a time, gone once
 * acknowledged, back after its delay once released, and taken over from a node that died with
 * it. Short timings (attempt timeout 0.5 s, delays from 1 s) keep it quick; the shortest gap a
 * check relies on is half a second, so a slow machine does not fail it.
 */
abstract class OutboxContract {

  static final RetryPolicy POLICY = new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2));
  static final Receiver RECEIVER = Receiver.of(List.of("http://127.0.0.1:9/hooks")).get(0);

  /** This node's view of an outbox holding nothing. */
  protected abstract Outbox emptyOutbox();

  /** Another node's view of the same outbox. */
  protected abstract Outbox otherNode();

  /** Records an event, as the presence store would. */
  protected abstract void append(String event);

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void newEntriesAreTakenInOrderAsFirstAttempts() {
    Outbox outbox = emptyOutbox();
    append("one");
    append("two");
    append("three");

    List<OutboxEntry> taken = await(outbox.take(RECEIVER, 2));

    assertThat(taken).extracting(OutboxEntry::body).containsExactly("one", "two");
    assertThat(taken).extracting(OutboxEntry::attempt).containsOnly(1);
    assertThat(await(outbox.take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("three");
  }

  @Test
  void anEntryBeingDeliveredIsNotTakenByAnotherNode() {
    Outbox outbox = emptyOutbox();
    append("one");
    await(outbox.take(RECEIVER, 10));

    assertThat(await(otherNode().take(RECEIVER, 10))).isEmpty();
    assertThat(await(outbox.take(RECEIVER, 10))).isEmpty();
  }

  @Test
  void anAcknowledgedEntryIsGoneForGood() {
    Outbox outbox = emptyOutbox();
    append("one");
    append("two");
    List<OutboxEntry> taken = await(outbox.take(RECEIVER, 10));

    await(outbox.acknowledge(RECEIVER, List.of(taken.get(0).id())));

    assertThat(await(outbox.backlog(RECEIVER))).isEqualTo(1);
    // both were taken at once: by the time the unacknowledged one is due again, so would the other be
    List<OutboxEntry> retaken = new java.util.ArrayList<>();
    Wait.until("the unacknowledged entry to fall due", Duration.ofSeconds(5), () -> {
      retaken.addAll(await(otherNode().take(RECEIVER, 10)));
      return retaken.stream().anyMatch(e -> e.body().equals("two"));
    });
    retaken.addAll(await(otherNode().take(RECEIVER, 10)));
    assertThat(retaken).extracting(OutboxEntry::body).containsExactly("two");
  }

  @Test
  void aReleasedEntryIsTakenAgainAfterItsDelayAsTheNextAttempt() {
    Outbox outbox = emptyOutbox();
    append("one");
    OutboxEntry first = await(outbox.take(RECEIVER, 10)).get(0);

    await(outbox.release(RECEIVER, List.of(first.id())));

    assertThat(await(outbox.take(RECEIVER, 10))).as("still in its delay").isEmpty();
    OutboxEntry retry = takeWithin(outbox, Duration.ofSeconds(5));
    assertThat(retry.body()).isEqualTo("one");
    assertThat(retry.attempt()).isEqualTo(2);
  }

  @Test
  void anEntryOfANodeThatDiedIsTakenOverOnceItsAttemptCouldNotStillRun() {
    Outbox dying = emptyOutbox();
    append("one");
    await(dying.take(RECEIVER, 10));
    long takenAt = System.nanoTime();

    OutboxEntry takenOver = takeWithin(otherNode(), Duration.ofSeconds(5));

    assertThat(Duration.ofNanos(System.nanoTime() - takenAt)).isGreaterThanOrEqualTo(POLICY.attemptTimeout());
    assertThat(takenOver.body()).isEqualTo("one");
    assertThat(takenOver.attempt()).isEqualTo(2);
  }

  @Test
  void theBacklogCountsWhatIsNotAcknowledged() {
    Outbox outbox = emptyOutbox();
    append("one");
    append("two");
    await(outbox.take(RECEIVER, 10));

    assertThat(await(outbox.backlog(RECEIVER))).isEqualTo(2);
  }

  private static OutboxEntry takeWithin(Outbox outbox, Duration timeout) {
    OutboxEntry[] taken = new OutboxEntry[1];
    Wait.until("an entry to fall due", timeout, () -> {
      List<OutboxEntry> entries = await(outbox.take(RECEIVER, 10));
      taken[0] = entries.isEmpty() ? null : entries.get(0);
      return taken[0] != null;
    });
    return taken[0];
  }
}
