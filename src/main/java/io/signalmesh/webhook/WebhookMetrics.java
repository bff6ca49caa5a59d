package io.signalmesh.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook meters, per receiver (tag {@code receiver}: its label, never the whole URL):
 * {@code signalmesh_webhook_delivered_total}, {@code signalmesh_webhook_failed_attempts_total} and
 * {@code signalmesh_webhook_backlog} (undelivered events as this node last saw them; in a mesh
 * every node reports the same shared outbox).
 */
public final class WebhookMetrics {

  private final Map<Receiver, Counter> delivered = new HashMap<>();
  private final Map<Receiver, Counter> failed = new HashMap<>();
  private final Map<Receiver, AtomicLong> backlog = new HashMap<>();

  public WebhookMetrics(MeterRegistry registry, List<Receiver> receivers) {
    for (Receiver receiver : receivers) {
      delivered.put(receiver, Counter.builder("signalmesh.webhook.delivered")
          .description("Webhook events the receiver acknowledged (2xx)").tag("receiver", receiver.label()).register(registry));
      failed.put(receiver, Counter.builder("signalmesh.webhook.failed.attempts")
          .description("Webhook delivery attempts that failed (no answer, or not 2xx); each is retried")
          .tag("receiver", receiver.label()).register(registry));
      AtomicLong waiting = new AtomicLong();
      backlog.put(receiver, waiting);
      Gauge.builder("signalmesh.webhook.backlog", waiting, AtomicLong::get)
          .description("Webhook events in the outbox that the receiver has not acknowledged")
          .tag("receiver", receiver.label()).register(registry);
    }
  }

  void delivered(Receiver receiver, int count) {
    delivered.get(receiver).increment(count);
  }

  void failed(Receiver receiver, int count) {
    failed.get(receiver).increment(count);
  }

  void backlog(Receiver receiver, long events) {
    backlog.get(receiver).set(events);
  }
}
