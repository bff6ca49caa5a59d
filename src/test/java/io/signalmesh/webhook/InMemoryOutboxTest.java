package io.signalmesh.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbox contract of a single node (the "other node" is the same one, later), and its bound. */
class InMemoryOutboxTest extends OutboxContract {

  private InMemoryOutbox outbox;

  @Override
  protected Outbox emptyOutbox() {
    outbox = new InMemoryOutbox(List.of(RECEIVER), 100, POLICY, () -> System.nanoTime() / 1_000_000);
    return outbox;
  }

  @Override
  protected Outbox otherNode() {
    return outbox;
  }

  @Override
  protected void append(String event) {
    outbox.append(event);
  }

  @Test
  void eventsForAFullOutboxAreDroppedAndTheUndeliveredKept() {
    InMemoryOutbox small = new InMemoryOutbox(List.of(RECEIVER), 2, POLICY, () -> System.nanoTime() / 1_000_000);
    small.append("one");
    small.append("two");
    small.append("three");

    assertThat(await(small.take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("one", "two");
  }
}
