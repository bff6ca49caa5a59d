package io.signalmesh.presence;

import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@link RedisPresenceStore} leaves the webhook events of a membership change: one Redis
 * stream per receiver, each holding at most {@code capacity} undelivered events (an event for a
 * full stream is dropped and logged). With {@code inScript} the join and leave scripts append
 * them themselves, atomically with the change. On Redis Cluster that is impossible (a script may
 * only touch keys of one slot, and a room's keys carry its {@code {roomId}} tag), so the events
 * are appended right after the script succeeded: a node that dies between the two loses them.
 */
public final class OutboxStreams {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxStreams.class);
  private static final RedisScript APPEND = RedisScript.fromResource("presence/outbox-append.lua", false);
  private static final OutboxStreams NONE = new OutboxStreams(List.of(), 0, true);

  private final List<String> keys;
  private final int capacity;
  private final boolean inScript;

  /**
   * @param keys one stream per receiver
   * @param capacity most undelivered events a stream holds
   * @param inScript true unless Redis is a cluster (see the class comment)
   */
  public OutboxStreams(List<String> keys, int capacity, boolean inScript) {
    this.keys = List.copyOf(keys);
    this.capacity = capacity;
    this.inScript = inScript;
  }

  /** No webhooks: changes record nothing. */
  public static OutboxStreams none() {
    return NONE;
  }

  /** The script's KEYS: {@code leading} (the room key first), then the streams if the script itself is to append {@code events}. */
  List<String> scriptKeys(List<String> leading, OutboxEvents events) {
    if (!appendsInScript(events)) {
      return leading;
    }
    List<String> all = new ArrayList<>(keys.size() + leading.size());
    all.addAll(leading);
    all.addAll(keys);
    return all;
  }

  /** The script's ARGV: {@code args}, then capacity and both events if the script itself appends them. */
  List<String> scriptArgs(List<String> args, OutboxEvents events) {
    if (!appendsInScript(events)) {
      return args;
    }
    List<String> all = new ArrayList<>(args);
    all.add(Integer.toString(capacity));
    all.add(events.member() == null ? "" : events.member());
    all.add(events.room() == null ? "" : events.room());
    return all;
  }

  /**
   * After a script that changed the membership without appending itself: appends what the change
   * announced, the room event too if {@code roomChanged}, first for a new room, last for an
   * emptied one. Never fails: a lost event is logged.
   */
  Future<Void> appendAfter(RedisCalls calls, OutboxEvents events, boolean roomChanged, boolean roomEventFirst) {
    if (inScript || keys.isEmpty() || events.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> args = new ArrayList<>(3);
    args.add(Integer.toString(capacity));
    String room = roomChanged ? events.room() : null;
    if (roomEventFirst && room != null) {
      args.add(room);
    }
    if (events.member() != null) {
      args.add(events.member());
    }
    if (!roomEventFirst && room != null) {
      args.add(room);
    }
    if (args.size() == 1) {
      return Future.succeededFuture();
    }
    List<Future<Response>> appends = new ArrayList<>(keys.size());
    for (String key : keys) {
      appends.add(calls.script("outboxAppend", "outbox", APPEND, List.of(key), args)
          .onFailure(e -> LOG.atError().addKeyValue("stream", key).addKeyValue("error", e.getMessage())
              .log("webhook events lost: could not append them to the outbox")));
    }
    return Future.join(appends).otherwiseEmpty().mapEmpty();
  }

  private boolean appendsInScript(OutboxEvents events) {
    return inScript && !keys.isEmpty() && !events.isEmpty();
  }
}
