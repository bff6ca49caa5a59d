package io.signalmesh.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.signalmesh.config.WebhookConfig;
import io.signalmesh.presence.RedisPresenceKeys;
import java.time.Clock;
import java.util.List;

/**
 * What a node's webhooks are made of, derived once from {@link WebhookConfig}: the receivers, the
 * retry policy, the outbox's bound, the events to record and the verticle that delivers them.
 * Off (no URL): joins and leaves record nothing and no verticle runs.
 */
public final class Webhooks {

  /** Most undelivered events one receiver's outbox holds; events beyond it are dropped (and logged). */
  public static final int OUTBOX_CAPACITY = 100_000;

  private final List<Receiver> receivers;
  private final WebhookSignature signature;
  private final RetryPolicy policy;

  private Webhooks(List<Receiver> receivers, WebhookSignature signature, RetryPolicy policy) {
    this.receivers = receivers;
    this.signature = signature;
    this.policy = policy;
  }

  /** @param keys where the outbox streams go when presence is in Redis */
  public static Webhooks from(WebhookConfig config, RedisPresenceKeys keys) {
    if (!config.enabled()) {
      return new Webhooks(List.of(), null, RetryPolicy.standard(config.timeout()));
    }
    return new Webhooks(Receiver.of(config.urls(), keys), new WebhookSignature(config.secret()),
        RetryPolicy.standard(config.timeout()));
  }

  public boolean enabled() {
    return !receivers.isEmpty();
  }

  public List<Receiver> receivers() {
    return receivers;
  }

  public RetryPolicy policy() {
    return policy;
  }

  /** The outbox streams in Redis, one per receiver. */
  public List<String> streamKeys() {
    return receivers.stream().map(Receiver::streamKey).toList();
  }

  /** What joins and leaves record: events when on, nothing when off. */
  public WebhookEvents events(Clock clock) {
    return enabled() ? WebhookEvents.on(clock) : WebhookEvents.off();
  }

  /** The verticle that delivers from {@code outbox}, its meters in {@code registry}; only when on. */
  public WebhookVerticle verticle(Outbox outbox, MeterRegistry registry) {
    if (!enabled()) {
      throw new IllegalStateException("webhooks are off");
    }
    return new WebhookVerticle(receivers, outbox, signature, policy, new WebhookMetrics(registry, receivers),
        OUTBOX_CAPACITY);
  }
}
