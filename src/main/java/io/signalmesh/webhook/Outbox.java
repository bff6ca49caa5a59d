package io.signalmesh.webhook;

import io.vertx.core.Future;
import java.util.List;

/**
 * The read side of the webhook outbox: each receiver's undelivered events, where they wait until
 * the receiver acknowledged them (the presence store writes them, with the changes). An entry
 * taken by a node is that node's until it acknowledges or releases it; if the node dies, the
 * entry falls due again after the attempt timeout and its delay ({@link RetryPolicy}) and
 * another node takes it. So every event is delivered at least once, by one node at a time.
 */
public interface Outbox {

  /** Prepares the receiver's part of the outbox (idempotent). */
  Future<Void> open(Receiver receiver);

  /** Up to {@code max} entries due for the receiver: new ones and retries whose delay passed, in outbox order. */
  Future<List<OutboxEntry>> take(Receiver receiver, int max);

  /** The receiver answered 2xx: the entries are gone. */
  Future<Void> acknowledge(Receiver receiver, List<String> entryIds);

  /** The attempts failed: the entries fall due again after their delay. */
  Future<Void> release(Receiver receiver, List<String> entryIds);

  /** How many events the receiver has not acknowledged yet. */
  Future<Long> backlog(Receiver receiver);
}
