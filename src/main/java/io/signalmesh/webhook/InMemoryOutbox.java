package io.signalmesh.webhook;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox of a single node with in-memory presence: one bounded queue per receiver in this
 * JVM. It survives receiver outages, not the process: events not yet delivered when the node
 * stops or crashes are lost (a mesh keeps them in Redis). Thread-safe: events arrive from every
 * event loop, under the presence store's room locks, so {@link #append} only queues.
 */
public final class InMemoryOutbox implements Outbox {

  private static final Logger LOG = LoggerFactory.getLogger(InMemoryOutbox.class);

  private final Map<Receiver, Queue> queues = new HashMap<>();
  private final RetryPolicy policy;
  private final LongSupplier clockMillis;

  /**
   * @param capacity most undelivered events per receiver; events for a full queue are dropped
   * @param clockMillis a monotonic clock in milliseconds
   */
  public InMemoryOutbox(List<Receiver> receivers, int capacity, RetryPolicy policy, LongSupplier clockMillis) {
    receivers.forEach(receiver -> queues.put(receiver, new Queue(receiver, capacity)));
    this.policy = policy;
    this.clockMillis = clockMillis;
  }

  /** Queues an event for every receiver. */
  public void append(String event) {
    queues.values().forEach(queue -> queue.append(event));
  }

  @Override
  public Future<Void> open(Receiver receiver) {
    return Future.succeededFuture();
  }

  @Override
  public Future<List<OutboxEntry>> take(Receiver receiver, int max) {
    return Future.succeededFuture(queue(receiver).take(max));
  }

  @Override
  public Future<Void> acknowledge(Receiver receiver, List<String> entryIds) {
    queue(receiver).remove(entryIds);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> release(Receiver receiver, List<String> entryIds) {
    queue(receiver).release(entryIds);
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> backlog(Receiver receiver) {
    return Future.succeededFuture((long) queue(receiver).size());
  }

  private Queue queue(Receiver receiver) {
    Queue queue = queues.get(receiver);
    if (queue == null) {
      throw new IllegalArgumentException("not a configured receiver: " + receiver.label());
    }
    return queue;
  }

  /** An undelivered event: how often it was taken, and when last (the same facts Redis keeps for a pending entry). */
  private static final class Entry {
    final String body;
    int attempts;
    long takenAtMillis;

    Entry(String body) {
      this.body = body;
    }
  }

  /** One receiver's events in arrival order; guarded by its own monitor. */
  private final class Queue {
    private final Receiver receiver;
    private final int capacity;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long sequence;
    private long dropped;

    Queue(Receiver receiver, int capacity) {
      this.receiver = receiver;
      this.capacity = capacity;
    }

    synchronized void append(String body) {
      if (entries.size() >= capacity) {
        dropped++;
        if ((dropped & (dropped - 1)) == 0) {
          // 1st, 2nd, 4th, 8th, ... drop: said often enough to be seen, rarely enough not to flood the log
          LOG.atError().addKeyValue("receiver", receiver.label()).addKeyValue("capacity", capacity)
              .addKeyValue("dropped", dropped).log("webhook outbox full: events dropped");
        }
        return;
      }
      entries.put(Long.toString(++sequence), new Entry(body));
    }

    synchronized List<OutboxEntry> take(int max) {
      long now = clockMillis.getAsLong();
      List<OutboxEntry> taken = new ArrayList<>();
      Iterator<Map.Entry<String, Entry>> all = entries.entrySet().iterator();
      while (taken.size() < max && all.hasNext()) {
        Map.Entry<String, Entry> next = all.next();
        Entry entry = next.getValue();
        if (policy.due(next.getKey(), entry.attempts, now - entry.takenAtMillis)) {
          entry.attempts++;
          entry.takenAtMillis = now;
          taken.add(new OutboxEntry(next.getKey(), entry.body, entry.attempts));
        }
      }
      return taken;
    }

    synchronized void remove(List<String> ids) {
      ids.forEach(entries::remove);
    }

    synchronized void release(List<String> ids) {
      long idleAsIfTimedOut = clockMillis.getAsLong() - policy.attemptTimeout().toMillis();
      for (String id : ids) {
        Entry entry = entries.get(id);
        if (entry != null) {
          entry.takenAtMillis = idleAsIfTimedOut;
        }
      }
    }

    synchronized int size() {
      return entries.size();
    }
  }
}
