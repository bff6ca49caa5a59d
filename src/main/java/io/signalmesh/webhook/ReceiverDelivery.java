package io.signalmesh.webhook;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's delivery to one receiver, in rounds: take up to a batch of due entries from the
 * outbox, POST them at once, acknowledge those answered 2xx and release the others for a retry.
 * A full batch that went through is followed by the next at once (a backlog drains quickly);
 * a round in which nothing got through pauses this receiver here with the same capped, jittered
 * backoff, so a receiver that is down is probed, not flooded. Confined to the verticle's context.
 */
final class ReceiverDelivery {

  private static final Logger LOG = LoggerFactory.getLogger(ReceiverDelivery.class);

  private final Receiver receiver;
  private final Outbox outbox;
  private final WebhookSender sender;
  private final RetryPolicy policy;
  private final WebhookMetrics metrics;
  private final int batch;
  private final LongSupplier clockMillis;
  private Future<Void> round = Future.succeededFuture();
  private boolean busy;
  private boolean stopped;
  private int failedRounds;
  private int outboxFailures;
  private long pausedUntil;

  ReceiverDelivery(Receiver receiver, Outbox outbox, WebhookSender sender, RetryPolicy policy, WebhookMetrics metrics,
      int batch, LongSupplier clockMillis) {
    this.receiver = receiver;
    this.outbox = outbox;
    this.sender = sender;
    this.policy = policy;
    this.metrics = metrics;
    this.batch = batch;
    this.clockMillis = clockMillis;
  }

  /** Starts a round unless one is running or the receiver is paused. */
  void poll() {
    if (busy || stopped || clockMillis.getAsLong() < pausedUntil) {
      return;
    }
    busy = true;
    round = rounds().onComplete(done -> busy = false);
  }

  /** Starts no more rounds; completes when the running one (if any) is over. */
  Future<Void> stop() {
    stopped = true;
    return round;
  }

  private Future<Void> rounds() {
    return outbox.take(receiver, batch)
        .onSuccess(entries -> outboxFailures = 0)
        .compose(entries -> entries.isEmpty() ? Future.succeededFuture(false) : deliver(entries))
        .compose(more -> more && !stopped ? rounds() : Future.<Void>succeededFuture())
        .recover(error -> {
          long pause = pause(++outboxFailures);
          LOG.atWarn().addKeyValue("receiver", receiver.label()).addKeyValue("error", error.getMessage())
              .addKeyValue("retryInMillis", pause).log("webhook outbox unavailable; will try again");
          return Future.succeededFuture();
        });
  }

  /** Pauses this receiver after the {@code failures}th round in a row in which nothing went through; answers how long. */
  private long pause(int failures) {
    long pause = policy.delayMillis(failures, ThreadLocalRandom.current().nextDouble());
    pausedUntil = clockMillis.getAsLong() + pause;
    return pause;
  }

  /** Sends the entries; completes with true if the batch was full and all of it went through. */
  private Future<Boolean> deliver(List<OutboxEntry> entries) {
    List<Future<Integer>> posts = new ArrayList<>(entries.size());
    entries.forEach(entry -> posts.add(sender.post(receiver, entry)));
    return Future.join(posts).transform(done -> {
      List<String> delivered = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      String problem = null;
      int attempt = 0;
      for (int i = 0; i < entries.size(); i++) {
        Future<Integer> post = posts.get(i);
        if (post.succeeded() && post.result() / 100 == 2) {
          delivered.add(entries.get(i).id());
        } else {
          failed.add(entries.get(i).id());
          attempt = Math.max(attempt, entries.get(i).attempt());
          if (problem == null) {
            problem = post.succeeded() ? "status " + post.result() : describe(post.cause());
          }
        }
      }
      metrics.delivered(receiver, delivered.size());
      metrics.failed(receiver, failed.size());
      if (failed.isEmpty() || !delivered.isEmpty()) {
        failedRounds = 0;
      } else {
        long pause = pause(++failedRounds);
        LOG.atWarn().addKeyValue("receiver", receiver.label()).addKeyValue("failed", failed.size())
            .addKeyValue("attempt", attempt).addKeyValue("problem", problem).addKeyValue("retryInMillis", pause)
            .log("webhook delivery failed; will retry");
      }
      if (!failed.isEmpty() && !delivered.isEmpty()) {
        LOG.atWarn().addKeyValue("receiver", receiver.label()).addKeyValue("failed", failed.size())
            .addKeyValue("delivered", delivered.size()).addKeyValue("problem", problem)
            .log("webhook delivery failed for some events; will retry them");
      }
      boolean more = failed.isEmpty() && entries.size() >= batch;
      return Future.all(outbox.acknowledge(receiver, delivered), outbox.release(receiver, failed)).map(more);
    });
  }

  private String describe(Throwable cause) {
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return receiver.redact(message);
  }
}
