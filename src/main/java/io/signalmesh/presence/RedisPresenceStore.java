package io.signalmesh.presence;

import static io.signalmesh.presence.RedisPresenceKeys.membershipEntry;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Presence in Redis (standalone, sentinel or cluster; see {@link RedisUrl}) for a mesh of nodes.
 * Key layout: {@link RedisPresenceKeys}. Joins and leaves are Lua scripts on the room's hash
 * ({@code presence/join.lua}, {@code presence/leave.lua}). The join script updates the room and
 * node indexes itself where a script may span slots (standalone, Sentinel: one round trip per
 * join); on Redis Cluster, and after a leave, they are brought up to date right after the
 * script, also when a caller has already timed out.
 *
 * <p>Every Redis call races a Vert.x timer of {@code callTimeout}: the Redis client has no
 * per-command timeout. A timeout, a refused connection or an error reply fails the operation with
 * {@link PresenceUnavailableException} naming the operation and room. A timed-out join or leave
 * may still have been applied; both are idempotent, so retrying is safe. The client reconnects on
 * demand, so the store works again once Redis is back, without a restart.
 *
 * <p>Thread-safe: it holds no state besides the client.
 */
public final class RedisPresenceStore implements PresenceStore {

  /** Default time a single Redis call may take before the operation fails as unavailable. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(2);

  private static final RedisScript JOIN = RedisScript.fromResource("presence/join.lua", false);
  private static final RedisScript LEAVE = RedisScript.fromResource("presence/leave.lua", false);
  /**
   * Most Redis calls one operation over a whole node or page has in flight at once (the pool
   * holds 16 connections by default), so that it never floods the pool's wait queue.
   */
  private static final int MAX_CONCURRENT_CALLS = 32;
  private static final Comparator<Member> BY_JOIN_TIME =
      Comparator.comparingLong(Member::joinedAtMillis).thenComparing(m -> m.clientId().value());

  private final RedisCalls calls;
  private final Redis redis;
  private final RedisPresenceKeys keyspace;
  private final OutboxStreams outbox;

  /** A store with {@link #DEFAULT_CALL_TIMEOUT}. */
  public RedisPresenceStore(Vertx vertx, RedisOptions options) {
    this(vertx, options, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * @param options where Redis is, usually {@code RedisUrl.parse(url)}
   * @param callTimeout how long each Redis call may take, positive
   */
  public RedisPresenceStore(Vertx vertx, RedisOptions options, Duration callTimeout) {
    this(new RedisCalls(vertx, options, callTimeout));
  }

  /** A store on a client shared with the node's other Redis-backed parts. */
  public RedisPresenceStore(RedisCalls calls) {
    this(calls, OutboxStreams.none());
  }

  /** A store that leaves the webhook events of each membership change in {@code outbox}. */
  public RedisPresenceStore(RedisCalls calls, OutboxStreams outbox) {
    this(calls, RedisPresenceKeys.DEFAULT, outbox);
  }

  /** A store under {@code keyspace}'s prefix, with the webhook events in {@code outbox}. */
  public RedisPresenceStore(RedisCalls calls, RedisPresenceKeys keyspace, OutboxStreams outbox) {
    this.calls = Objects.requireNonNull(calls, "calls");
    this.redis = calls.client();
    this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
  }

  @Override
  public Future<JoinResult> join(RoomId room, Member member, int capacity, OutboxEvents events) {
    String op = "join";
    boolean indexInScript = calls.crossSlotScripts();
    List<String> keys = indexInScript
        ? List.of(keyspace.roomMembers(room), keyspace.rooms(), keyspace.nodeMemberships(member.nodeId()))
        : List.of(keyspace.roomMembers(room));
    List<String> args = List.of(member.clientId().value(), encode(member), Long.toString(member.joinedAtMillis()),
        Integer.toString(capacity), indexInScript ? "1" : "0", room.value(), membershipEntry(room, member.clientId()));
    Future<JoinReply> script = runJoin(outbox.scriptKeys(keys, events), outbox.scriptArgs(args, events), member, true);
    // runs even if the caller timed out, so a join that Redis applied late is still indexed and announced
    Future<JoinResult> indexed = script.compose(reply -> indexJoin(op, room, member, capacity, reply, indexInScript));
    Future<Void> announced = script.compose(reply -> announceJoin(reply, events));
    // the caller goes on once both are done, so its next change's events follow these; on its own context (see RedisCalls)
    return RedisCalls.onCallersContext(
        timed(op, subject(room), script).compose(reply -> Future.join(indexed, announced).transform(done -> indexed)));
  }

  /**
   * join.lua's answer; {@code previous} is the member's stored JSON before this join, "" for a
   * first join, null if the room was full.
   */
  private record JoinReply(Response reply, String previous) {}

  /**
   * Runs join.lua, once more if the connection was lost before the answer (a Sentinel failover
   * leaves connections to the dead master). If the first run was applied after all, the second
   * finds the member stored with this very join's {@code joinedAt} on this node: that is still
   * this join's first run (not a rejoin), so it is indexed and announced as one.
   */
  private Future<JoinReply> runJoin(List<String> keys, List<String> args, Member member, boolean mayRetry) {
    return JOIN.run(redis, keys, args)
        .map(reply -> new JoinReply(reply, "full".equals(reply.get(0).toString()) ? null : reply.get(1).toString()))
        .recover(error -> mayRetry && PipelinedRedis.lostConnection(error)
            ? runJoin(keys, args, member, false).map(second -> appliedByThisJoin(second.previous(), member)
                ? new JoinReply(second.reply(), "")
                : second)
            : Future.failedFuture(error));
  }

  private static boolean appliedByThisJoin(String previous, Member member) {
    Member stored = previous == null || previous.isEmpty() ? null : decode(member.clientId().value(), previous);
    return stored != null && stored.joinedAtMillis() == member.joinedAtMillis() && stored.nodeId().equals(member.nodeId());
  }

  @Override
  public Future<Boolean> leave(RoomId room, ClientId client, OutboxEvents events) {
    return leave("leave", room, client, null, events);
  }

  @Override
  public Future<Boolean> leaveIfOnNode(RoomId room, ClientId client, String nodeId, OutboxEvents events) {
    return leave("leaveIfOnNode", room, client, Objects.requireNonNull(nodeId, "nodeId"), events);
  }

  @Override
  public Future<List<Member>> members(RoomId room) {
    return call("members", subject(room), Request.cmd(Command.HGETALL).arg(keyspace.roomMembers(room)))
        .map(RedisPresenceStore::decodeMembers);
  }

  @Override
  public Future<List<RoomId>> rooms(String after, int limit) {
    if (limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    return roomsPage(after, limit, new ArrayList<>());
  }

  @Override
  public Future<List<NodeMembership>> membershipsOfNode(String nodeId) {
    String op = "membershipsOfNode";
    String subject = "node " + nodeId;
    return call(op, subject, Request.cmd(Command.SMEMBERS).arg(keyspace.nodeMemberships(nodeId)))
        .compose(entries -> {
          Map<RoomId, List<ClientId>> byRoom = new TreeMap<>(Comparator.comparing(RoomId::value));
          List<Future<?>> cleanups = new ArrayList<>();
          for (Response entry : entries) {
            String text = entry.toString();
            int separator = text.indexOf(RedisPresenceKeys.ENTRY_SEPARATOR);
            String roomId = separator < 0 ? "" : text.substring(0, separator);
            if (RoomId.isValid(roomId)) {
              byRoom.computeIfAbsent(new RoomId(roomId), r -> new ArrayList<>()).add(new ClientId(text.substring(separator + 1)));
            } else {
              cleanups.add(call(op, subject, Request.cmd(Command.SREM).arg(keyspace.nodeMemberships(nodeId)).arg(text)).otherwiseEmpty());
            }
          }
          return Future.all(cleanups)
              .compose(done -> ChunkedCalls.apply(new ArrayList<>(byRoom.entrySet()), MAX_CONCURRENT_CALLS,
                  roomClients -> membershipsIn(op, nodeId, roomClients.getKey(), roomClients.getValue())))
              .map(perRoom -> {
                List<NodeMembership> held = new ArrayList<>();
                perRoom.forEach(held::addAll);
                return held;
              });
        });
  }

  @Override
  public Future<Void> close() {
    return calls.close();
  }

  private Future<JoinResult> indexJoin(String op, RoomId room, Member member, int capacity, JoinReply joinReply,
      boolean indexedByScript) {
    if (joinReply.previous() == null) {
      return Future.succeededFuture(new JoinResult.Full(capacity));
    }
    Response reply = joinReply.reply();
    String previous = joinReply.previous();
    List<Member> others = new ArrayList<>((reply.size() - 2) / 2);
    for (int i = 2; i + 1 < reply.size(); i += 2) {
      addDecoded(others, reply.get(i).toString(), reply.get(i + 1).toString());
    }
    others.sort(BY_JOIN_TIME);
    String subject = subject(room);
    Future<?> roomIndexed = indexedByScript ? Future.succeededFuture()
        : call(op, subject, Request.cmd(Command.ZADD).arg(keyspace.rooms()).arg(0).arg(room.value()));
    Future<?> nodeIndexed = indexedByScript ? Future.succeededFuture()
        : call(op, subject, Request.cmd(Command.SADD).arg(keyspace.nodeMemberships(member.nodeId()))
            .arg(membershipEntry(room, member.clientId())));
    String previousNode = previous.isEmpty() ? null : nodeOf(previous);
    Future<Void> movedOut = previousNode == null || previousNode.equals(member.nodeId())
        ? Future.succeededFuture()
        : unindexMember(op, room, member.clientId(), previousNode);
    return Future.all(roomIndexed, nodeIndexed, movedOut)
        .map(done -> new JoinResult.Joined(others, !previous.isEmpty()));
  }

  /**
   * On Redis Cluster, where join.lua could not append the events itself: a first join announces,
   * a new room first. Depends on the script's reply alone: the change happened whether or not
   * the indexes (on other masters) could be updated after it.
   */
  private Future<Void> announceJoin(JoinReply reply, OutboxEvents events) {
    boolean firstJoin = reply.previous() != null && reply.previous().isEmpty();
    if (!firstJoin) {
      return Future.succeededFuture();
    }
    // {"joined", "", c1, j1, ...}: nobody else in the room means the join created it
    return outbox.appendAfter(calls, events, reply.reply().size() == 2, true);
  }

  /** Runs leave.lua; {@code requiredNode} null removes the member whichever node holds it. */
  private Future<Boolean> leave(String op, RoomId room, ClientId client, String requiredNode, OutboxEvents events) {
    List<String> args = requiredNode == null ? List.of(client.value()) : List.of(client.value(), requiredNode);
    Future<Response> script = LEAVE.run(redis, outbox.scriptKeys(List.of(keyspace.roomMembers(room)), events), outbox.scriptArgs(args, events));
    Future<Boolean> unindexed = script.compose(reply -> {
      String removed = reply.get(0).toString();
      if (removed.isEmpty()) {
        return Future.succeededFuture(false);
      }
      long remaining = reply.get(1).toLong();
      String node = nodeOf(removed);
      Future<Void> memberGone = node == null ? Future.succeededFuture() : unindexMember(op, room, client, node);
      Future<Void> roomGone = remaining == 0 ? unindexRoom(op, room) : Future.succeededFuture();
      Future<Void> announced = outbox.appendAfter(calls, events, remaining == 0, false);
      // join, not all: the caller goes on only once the events are appended, even if unindexing failed
      return Future.join(memberGone, roomGone, announced).map(true);
    });
    return RedisCalls.onCallersContext(timed(op, subject(room), script).compose(reply -> unindexed));
  }

  /** Pages the room index, skipping (and removing) rooms that have no members any more. */
  private Future<List<RoomId>> roomsPage(String after, int limit, List<RoomId> found) {
    int wanted = limit - found.size();
    Request range = Request.cmd(Command.ZRANGEBYLEX).arg(keyspace.rooms()).arg(after == null ? "-" : "(" + after).arg("+")
        .arg("LIMIT").arg(0).arg(wanted);
    return call("rooms", "index", range).compose(ids -> {
      List<RoomId> candidates = new ArrayList<>(ids.size());
      for (Response id : ids) {
        if (RoomId.isValid(id.toString())) {
          candidates.add(new RoomId(id.toString()));
        }
      }
      return ChunkedCalls.apply(candidates, MAX_CONCURRENT_CALLS, this::roomStillHasMembers).compose(exists -> {
        for (int i = 0; i < candidates.size(); i++) {
          if (exists.get(i)) {
            found.add(candidates.get(i));
          }
        }
        boolean indexExhausted = ids.size() < wanted;
        return indexExhausted || found.size() >= limit
            ? Future.succeededFuture(found)
            : roomsPage(ids.get(ids.size() - 1).toString(), limit, found);
      });
    });
  }

  /** True if the indexed room has members; else removes it from the index (ignoring failures) and answers false. */
  private Future<Boolean> roomStillHasMembers(RoomId room) {
    return call("rooms", subject(room), Request.cmd(Command.EXISTS).arg(keyspace.roomMembers(room)))
        .compose(exists -> exists.toLong() > 0
            ? Future.succeededFuture(true)
            : unindexRoom("rooms", room).otherwiseEmpty().map(false));
  }

  /** The room's members that the node's index names, still on that node; stale entries are removed. */
  private Future<List<NodeMembership>> membershipsIn(String op, String nodeId, RoomId room, List<ClientId> clients) {
    clients.sort(Comparator.comparing(ClientId::value));
    Request hmget = Request.cmd(Command.HMGET).arg(keyspace.roomMembers(room));
    clients.forEach(client -> hmget.arg(client.value()));
    return call(op, subject(room), hmget).compose(values -> {
      List<NodeMembership> held = new ArrayList<>(clients.size());
      List<Future<?>> cleanups = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        Response json = values.get(i);
        Member member = json == null ? null : decode(clients.get(i).value(), json.toString());
        if (member != null && member.nodeId().equals(nodeId)) {
          held.add(new NodeMembership(room, member));
        } else {
          cleanups.add(unindexMember(op, room, clients.get(i), nodeId).otherwiseEmpty());
        }
      }
      return Future.all(cleanups).map(held);
    });
  }

  /**
   * Removes the room from the index, then puts it back if a concurrent join filled it meanwhile
   * (that join's own ZADD may have run before the ZREM).
   */
  private Future<Void> unindexRoom(String op, RoomId room) {
    String subject = subject(room);
    return call(op, subject, Request.cmd(Command.ZREM).arg(keyspace.rooms()).arg(room.value()))
        .compose(removed -> call(op, subject, Request.cmd(Command.EXISTS).arg(keyspace.roomMembers(room))))
        .compose(exists -> exists.toLong() > 0
            ? call(op, subject, Request.cmd(Command.ZADD).arg(keyspace.rooms()).arg(0).arg(room.value()))
            : Future.succeededFuture())
        .mapEmpty();
  }

  /** Removes the member from the node's index, then puts it back if it (re)joined on that node meanwhile. */
  private Future<Void> unindexMember(String op, RoomId room, ClientId client, String nodeId) {
    String subject = subject(room);
    String entry = membershipEntry(room, client);
    return call(op, subject, Request.cmd(Command.SREM).arg(keyspace.nodeMemberships(nodeId)).arg(entry))
        .compose(removed -> call(op, subject, Request.cmd(Command.HGET).arg(keyspace.roomMembers(room)).arg(client.value())))
        .compose(json -> json != null && nodeId.equals(nodeOf(json.toString()))
            ? call(op, subject, Request.cmd(Command.SADD).arg(keyspace.nodeMemberships(nodeId)).arg(entry))
            : Future.succeededFuture())
        .mapEmpty();
  }

  private Future<Response> call(String op, String subject, Request request) {
    return calls.call(op, subject, request);
  }

  private <T> Future<T> timed(String op, String subject, Future<T> call) {
    return calls.timed(op, subject, call);
  }

  private static String subject(RoomId room) {
    return "room " + room.value();
  }

  /** The member JSON the join script stores after prefixing {@code joinedAt}; never empty. */
  private static String encode(Member member) {
    JsonObject json = new JsonObject().put("node", member.nodeId());
    if (member.name() != null) {
      json.put("name", member.name());
    }
    if (member.metadata() != null) {
      json.put("metadata", member.metadata());
    }
    return json.encode();
  }

  private static List<Member> decodeMembers(Response hash) {
    List<Member> members = new ArrayList<>(hash.size());
    if (hash.isMap()) {
      for (String client : hash.getKeys()) {
        addDecoded(members, client, hash.get(client).toString());
      }
    } else {
      for (int i = 0; i + 1 < hash.size(); i += 2) {
        addDecoded(members, hash.get(i).toString(), hash.get(i + 1).toString());
      }
    }
    members.sort(BY_JOIN_TIME);
    return members;
  }

  private static void addDecoded(List<Member> members, String client, String json) {
    Member member = decode(client, json);
    if (member != null) {
      members.add(member);
    }
  }

  /** The stored member, or null if the value is not one (written by something else): skipped. */
  private static Member decode(String client, String json) {
    try {
      JsonObject stored = new JsonObject(json);
      String node = stored.getString("node");
      if (node == null) {
        return null;
      }
      return new Member(new ClientId(client), node, stored.getString("name"),
          stored.getJsonObject("metadata"), stored.getLong("joinedAt", 0L));
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String nodeOf(String json) {
    Member member = decode("-", json);
    return member == null ? null : member.nodeId();
  }
}
