package io.signalmesh.webhook;

import io.signalmesh.presence.RedisCalls;
import io.signalmesh.presence.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox of a mesh, in Redis: one stream per receiver ({@link Receiver#streamKey()}, written
 * by the presence store's join and leave scripts), read through one consumer group,
 * {@value #GROUP}, in which each node is a consumer named by its node id. So each entry is
 * handed to one node; a delivered entry is acknowledged and deleted at once (the stream holds
 * only what is undelivered: its length is the backlog); an entry that failed, or whose node
 * died, is taken again with XCLAIM by whichever node finds it due ({@link RetryPolicy}: its
 * delivery count and idle time are what Redis keeps for a pending entry).
 */
public final class RedisOutbox implements Outbox {

  /** The consumer group every node reads each stream through. */
  static final String GROUP = "deliverers";
  /** Acknowledges and deletes in one step, so the stream never keeps an acknowledged entry. */
  private static final RedisScript ACK_AND_DELETE = RedisScript.of("""
      -- KEYS[1] a receiver's outbox stream; ARGV[1] the consumer group; ARGV[2..] entry ids
      redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
      return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
      """, true);
  /** How many pending entries one look for due retries examines, per entry wanted. */
  private static final int PENDING_SCAN_FACTOR = 4;

  private final RedisCalls calls;
  private final String consumer;
  private final RetryPolicy policy;

  /** @param consumer this node's name in the group: its node id */
  public RedisOutbox(RedisCalls calls, String consumer, RetryPolicy policy) {
    this.calls = calls;
    this.consumer = consumer;
    this.policy = policy;
  }

  @Override
  public Future<Void> open(Receiver receiver) {
    // from 0: the stream holds only undelivered entries, including any written before the group existed
    Request create = Request.cmd(Command.XGROUP).arg("CREATE").arg(receiver.streamKey()).arg(GROUP).arg("0").arg("MKSTREAM");
    return calls.call("webhookOpen", receiver.label(), create)
        .<Void>mapEmpty()
        .recover(error -> isBusyGroup(error) ? Future.succeededFuture() : Future.failedFuture(error));
  }

  @Override
  public Future<List<OutboxEntry>> take(Receiver receiver, int max) {
    return retries(receiver, max)
        .compose(retried -> fresh(receiver, max - retried.size()).map(fresh -> {
          List<OutboxEntry> all = new ArrayList<>(retried);
          all.addAll(fresh);
          return all;
        }))
        // Redis lost the group (restarted empty, flushed): make it again; the next take finds what is new
        .recover(error -> isNoGroup(error) ? open(receiver).map(List.<OutboxEntry>of()) : Future.failedFuture(error));
  }

  @Override
  public Future<Void> acknowledge(Receiver receiver, List<String> entryIds) {
    if (entryIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> args = new ArrayList<>(entryIds.size() + 1);
    args.add(GROUP);
    args.addAll(entryIds);
    return calls.script("webhookAck", receiver.label(), ACK_AND_DELETE, List.of(receiver.streamKey()), args).mapEmpty();
  }

  @Override
  public Future<Void> release(Receiver receiver, List<String> entryIds) {
    if (entryIds.isEmpty()) {
      return Future.succeededFuture();
    }
    // the entry stays ours, as if its attempt had used the whole timeout: due again after its delay.
    // JUSTID leaves the delivery count alone: it counts attempts.
    Request claim = Request.cmd(Command.XCLAIM).arg(receiver.streamKey()).arg(GROUP).arg(consumer).arg(0);
    entryIds.forEach(claim::arg);
    claim.arg("IDLE").arg(policy.attemptTimeout().toMillis()).arg("JUSTID");
    return calls.call("webhookRelease", receiver.label(), claim).mapEmpty();
  }

  @Override
  public Future<Long> backlog(Receiver receiver) {
    return calls.call("webhookBacklog", receiver.label(), Request.cmd(Command.XLEN).arg(receiver.streamKey()))
        .map(Response::toLong);
  }

  /** Pending entries (of any node) that are due again, claimed for this node. */
  private Future<List<OutboxEntry>> retries(Receiver receiver, int max) {
    long minIdle = policy.minIdleMillis();
    Request pending = Request.cmd(Command.XPENDING).arg(receiver.streamKey()).arg(GROUP)
        .arg("IDLE").arg(minIdle).arg("-").arg("+").arg(max * PENDING_SCAN_FACTOR);
    return calls.call("webhookTake", receiver.label(), pending).compose(entries -> {
      List<String> due = new ArrayList<>();
      List<Integer> attempts = new ArrayList<>();
      for (Response entry : entries) {
        String id = entry.get(0).toString();
        int delivered = entry.get(3).toInteger();
        if (due.size() < max && policy.due(id, delivered, entry.get(2).toLong())) {
          due.add(id);
          attempts.add(delivered + 1);
        }
      }
      if (due.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      // min-idle-time makes the claim fail for an entry another node took since XPENDING answered
      Request claim = Request.cmd(Command.XCLAIM).arg(receiver.streamKey()).arg(GROUP).arg(consumer).arg(minIdle);
      due.forEach(claim::arg);
      return calls.call("webhookTake", receiver.label(), claim).map(claimed -> {
        List<OutboxEntry> taken = new ArrayList<>();
        for (Response entry : claimed) {
          OutboxEntry parsed = parse(entry, 0);
          if (parsed != null) {
            int index = due.indexOf(parsed.id());
            taken.add(new OutboxEntry(parsed.id(), parsed.body(), index < 0 ? 1 : attempts.get(index)));
          }
        }
        return taken;
      });
    });
  }

  /** Entries no node has been given yet. */
  private Future<List<OutboxEntry>> fresh(Receiver receiver, int max) {
    if (max <= 0) {
      return Future.succeededFuture(List.of());
    }
    Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(GROUP).arg(consumer).arg("COUNT").arg(max)
        .arg("STREAMS").arg(receiver.streamKey()).arg(">");
    return calls.call("webhookTake", receiver.label(), read).map(reply -> {
      List<OutboxEntry> taken = new ArrayList<>();
      Response entries = streamEntries(reply, receiver.streamKey());
      if (entries != null) {
        for (Response entry : entries) {
          OutboxEntry parsed = parse(entry, 1);
          if (parsed != null) {
            taken.add(parsed);
          }
        }
      }
      return taken;
    });
  }

  /** The entries of one stream in an XREADGROUP reply: a map by stream (RESP3) or [[stream, entries]] (RESP2); null if none. */
  private static Response streamEntries(Response reply, String key) {
    if (reply == null) {
      return null;
    }
    if (reply.isMap()) {
      return reply.get(key);
    }
    return reply.size() == 0 ? null : reply.get(0).get(1);
  }

  /** An entry {@code [id, [field, value, ...]]}; null for a deleted one or one without an event. */
  private static OutboxEntry parse(Response entry, int attempt) {
    if (entry == null || entry.size() < 2 || entry.get(1) == null) {
      return null;
    }
    Response fields = entry.get(1);
    String body = null;
    if (fields.isMap()) {
      Response value = fields.get("event");
      body = value == null ? null : value.toString();
    } else {
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("event".equals(fields.get(i).toString())) {
          body = fields.get(i + 1).toString();
        }
      }
    }
    return body == null ? null : new OutboxEntry(entry.get(0).toString(), body, attempt);
  }

  private static boolean isBusyGroup(Throwable error) {
    return String.valueOf(error.getMessage()).contains("BUSYGROUP");
  }

  private static boolean isNoGroup(Throwable error) {
    return String.valueOf(error.getMessage()).contains("NOGROUP");
  }
}
