package io.signalmesh.webhook;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhooks from this node: every {@value #POLL_MILLIS} ms each receiver gets a round
 * ({@link ReceiverDelivery}), and every few seconds its backlog is read for the metric. Runs on
 * its own context, apart from signaling: the signaling path only writes to the outbox.
 */
public final class WebhookVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);
  /** How often each receiver's outbox is looked at; an event waits about this long at most when all is well. */
  static final long POLL_MILLIS = 250;
  private static final long BACKLOG_MILLIS = 5_000;
  private static final long FULL_WARNING_MILLIS = 60_000;
  /** Events POSTed to one receiver at once by one node (and its HTTP connections). */
  private static final int BATCH = 16;

  private final List<Receiver> receivers;
  private final Outbox outbox;
  private final WebhookSignature signature;
  private final RetryPolicy policy;
  private final WebhookMetrics metrics;
  private final int capacity;
  private final List<ReceiverDelivery> deliveries = new ArrayList<>();
  private final long[] fullWarnedAt;
  private WebhookSender sender;
  private long pollTimer = -1;
  private long backlogTimer = -1;

  /** @param capacity most undelivered events a receiver's outbox holds (for the warning when full) */
  public WebhookVerticle(List<Receiver> receivers, Outbox outbox, WebhookSignature signature, RetryPolicy policy,
      WebhookMetrics metrics, int capacity) {
    this.receivers = List.copyOf(receivers);
    this.outbox = outbox;
    this.signature = signature;
    this.policy = policy;
    this.metrics = metrics;
    this.capacity = capacity;
    this.fullWarnedAt = new long[receivers.size()];
    Arrays.fill(fullWarnedAt, Long.MIN_VALUE);
  }

  @Override
  public Future<?> start() {
    Duration timeout = policy.attemptTimeout();
    String version = WebhookVerticle.class.getPackage().getImplementationVersion();
    sender = new WebhookSender(vertx, signature, timeout, BATCH, version == null ? "dev" : version);
    for (Receiver receiver : receivers) {
      deliveries.add(new ReceiverDelivery(receiver, outbox, sender, policy, metrics, BATCH, this::now));
    }
    List<Future<Void>> opened = new ArrayList<>();
    for (Receiver receiver : receivers) {
      // a store that is down now is no reason not to start: taking recreates the group when needed
      opened.add(outbox.open(receiver).onFailure(e -> LOG.atWarn().addKeyValue("receiver", receiver.label())
          .addKeyValue("error", e.getMessage()).log("webhook outbox not ready yet")));
    }
    return Future.join(opened).otherwiseEmpty().onComplete(done -> {
      pollTimer = vertx.setPeriodic(0, POLL_MILLIS, id -> deliveries.forEach(ReceiverDelivery::poll));
      backlogTimer = vertx.setPeriodic(0, BACKLOG_MILLIS, id -> refreshBacklog());
      LOG.atInfo().addKeyValue("receivers", receivers.stream().map(Receiver::label).toList())
          .log("webhooks on");
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(backlogTimer);
    List<Future<Void>> running = deliveries.stream().map(ReceiverDelivery::stop).toList();
    return Future.join(running).eventually(() -> sender.close());
  }

  private void refreshBacklog() {
    for (int i = 0; i < receivers.size(); i++) {
      Receiver receiver = receivers.get(i);
      int index = i;
      outbox.backlog(receiver).onSuccess(events -> {
        metrics.backlog(receiver, events);
        long now = now();
        boolean warnedLately = fullWarnedAt[index] != Long.MIN_VALUE && now - fullWarnedAt[index] < FULL_WARNING_MILLIS;
        if (events >= capacity && !warnedLately) {
          fullWarnedAt[index] = now;
          LOG.atError().addKeyValue("receiver", receiver.label()).addKeyValue("capacity", capacity)
              .log("webhook outbox full: new events for this receiver are dropped until it takes some");
        }
      });
    }
  }

  private long now() {
    return System.nanoTime() / 1_000_000;
  }
}
