package io.signalmesh.presence;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The mesh's {@link NodeDirectory} in Redis; key layout in {@link RedisPresenceKeys}. */
public final class RedisNodeDirectory implements NodeDirectory {

  private static final RedisScript HEARTBEAT = RedisScript.fromResource("presence/heartbeat.lua", true);
  private static final RedisScript DECLARE_DEAD = RedisScript.fromResource("presence/declare-dead.lua", true);
  /** A declaration outlives any pause a node could come back from; the node clears it when it rejoins. */
  private static final Duration DECLARATION_TTL = Duration.ofDays(1);
  private static final RedisScript INBOX_OFFER = RedisScript.fromResource("presence/inbox-offer.lua", false);
  private static final RedisScript INBOX_DRAIN = RedisScript.fromResource("presence/inbox-drain.lua", false);
  private static final RedisScript SESSION_FORGET = RedisScript.fromResource("presence/session-forget.lua", true);
  private static final RedisScript NODE_SEEN = RedisScript.fromResource("presence/node-seen.lua", true);
  private static final RedisScript DEAD_CANDIDATES = RedisScript.fromResource("presence/dead-candidates.lua", true);

  private final RedisCalls calls;
  private final RedisPresenceKeys keyspace;
  private final List<String> nodeIndexes;
  private volatile boolean healthy = true;

  public RedisNodeDirectory(RedisCalls calls) {
    this(calls, RedisPresenceKeys.DEFAULT);
  }

  /** A directory under {@code keyspace}'s prefix. */
  public RedisNodeDirectory(RedisCalls calls, RedisPresenceKeys keyspace) {
    this.calls = calls;
    this.keyspace = keyspace;
    this.nodeIndexes = List.of(keyspace.nodes(), keyspace.nodeDeadlines());
  }

  @Override
  public Future<Boolean> heartbeat(String nodeId, Duration ttl) {
    String subject = "node " + nodeId;
    String ttlMillis = Long.toString(ttl.toMillis());
    // the node joins the known set and gets its deadline only once the script renewed it: a fenced node must stay out
    return calls.script("heartbeat", subject, HEARTBEAT,
            List.of(keyspace.nodeKey(nodeId, "alive"), keyspace.nodeKey(nodeId, "asserted"), keyspace.nodeKey(nodeId, "dead")), List.of(ttlMillis))
        .compose(alive -> alive.toInteger() < 0
            ? Future.<Boolean>failedFuture(new NodeFencedException(nodeId))
            : calls.script("heartbeat", subject, NODE_SEEN, nodeIndexes, List.of(nodeId, ttlMillis))
                .map(seen -> alive.toInteger() == 1))
        .onComplete(result -> healthy = result.succeeded() || result.cause() instanceof NodeFencedException);
  }

  @Override
  public Future<Void> declareDead(String nodeId) {
    String subject = "node " + nodeId;
    return calls.call("declareDead", subject, Request.cmd(Command.DEL).arg(keyspace.nodeKey(nodeId, "alive")))
        .compose(deleted -> calls.call("declareDead", subject, Request.cmd(Command.SET).arg(keyspace.nodeKey(nodeId, "dead"))
            .arg("1").arg("PX").arg(DECLARATION_TTL.toMillis())))
        // its deadline passes now, so the next dead-node check finds it (XX: a node never seen gets none)
        .compose(declared -> calls.call("declareDead", subject, Request.cmd(Command.ZADD).arg(keyspace.nodeDeadlines()).arg("XX")
            .arg(0).arg(nodeId)))
        .mapEmpty();
  }

  @Override
  public Future<Boolean> isDeclaredDead(String nodeId) {
    return calls.call("isDeclaredDead", "node " + nodeId, Request.cmd(Command.EXISTS).arg(keyspace.nodeKey(nodeId, "dead")))
        .map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Void> rejoin(String nodeId) {
    return calls.call("rejoin", "node " + nodeId, Request.cmd(Command.DEL).arg(keyspace.nodeKey(nodeId, "dead"))).mapEmpty();
  }

  @Override
  public Future<Void> markAsserted(String nodeId) {
    return calls.call("markAsserted", "node " + nodeId, Request.cmd(Command.SET).arg(keyspace.nodeKey(nodeId, "asserted")).arg("1"))
        .mapEmpty();
  }

  @Override
  public Future<List<String>> knownNodes() {
    return calls.call("knownNodes", "nodes", Request.cmd(Command.SMEMBERS).arg(keyspace.nodes())).map(members -> {
      List<String> nodes = new ArrayList<>();
      members.forEach(member -> nodes.add(member.toString()));
      return nodes;
    });
  }

  /**
   * One command while every node heartbeats in time: only the nodes whose deadline has passed
   * (dead-candidates.lua) are then asked about, one declare-dead.lua each, which decides on the
   * node's liveness key exactly as when every known node was asked.
   */
  @Override
  public Future<List<String>> deadNodes() {
    return calls.script("deadNodes", "nodes", DEAD_CANDIDATES, nodeIndexes, List.of()).compose(members -> {
      List<String> nodes = new ArrayList<>();
      List<Future<Response>> checks = new ArrayList<>();
      for (Response member : members) {
        String node = member.toString();
        nodes.add(node);
        checks.add(calls.script("deadNodes", "node " + node, DECLARE_DEAD,
            List.of(keyspace.nodeKey(node, "alive"), keyspace.nodeKey(node, "dead")), List.of(Long.toString(DECLARATION_TTL.toMillis()))));
      }
      return Future.all(checks).map(done -> {
        List<String> dead = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
          if (checks.get(i).result().toInteger() == 1) {
            dead.add(nodes.get(i));
          }
        }
        return dead;
      });
    });
  }

  @Override
  public Future<Boolean> claimReaping(String deadNode, String reaper, Duration ttl) {
    Request claim = Request.cmd(Command.SET).arg(keyspace.nodeKey(deadNode, "reaper")).arg(reaper).arg("NX").arg("PX")
        .arg(ttl.toMillis());
    return calls.call("claimReaping", "node " + deadNode, claim).map(reply -> reply != null);
  }

  @Override
  public Future<Void> forgetNode(String deadNode) {
    String subject = "node " + deadNode;
    return calls.call("forgetNode", subject, Request.cmd(Command.SMEMBERS).arg(keyspace.nodeKey(deadNode, "sessions")))
        .compose(keys -> {
          List<Future<Response>> deletes = new ArrayList<>();
          for (Response key : keys) {
            // a session that resumed on another node is listed here still: its record stays
            deletes.add(calls.script("forgetNode", subject, SESSION_FORGET, List.of(key.toString()), List.of(deadNode)));
          }
          // the claim goes too, so that the node's next death can be reaped; the declaration stays
          // until the node itself rejoins (a paused node must find it when it comes back)
          deletes.add(calls.call("forgetNode", subject, Request.cmd(Command.DEL).arg(keyspace.nodeKey(deadNode, "sessions"))
              .arg(keyspace.nodeKey(deadNode, "asserted")).arg(keyspace.nodeKey(deadNode, "memberships"))
              .arg(keyspace.nodeKey(deadNode, "reaper"))));
          deletes.add(calls.call("forgetNode", subject, Request.cmd(Command.SREM).arg(keyspace.nodes()).arg(deadNode)));
          deletes.add(calls.call("forgetNode", subject, Request.cmd(Command.ZREM).arg(keyspace.nodeDeadlines()).arg(deadNode)));
          return Future.all(deletes).mapEmpty();
        });
  }

  @Override
  public Future<Void> saveSession(String sessionToken, SessionRecord record) {
    String key = keyspace.session(hash(sessionToken));
    JsonArray rooms = new JsonArray();
    record.rooms().forEach(room -> rooms.add(room.value()));
    JsonObject json = new JsonObject().put("clientId", record.clientId().value()).put("node", record.nodeId())
        .put("rooms", rooms);
    if (record.grant() != null) {
      json.put("grant", encodeGrant(record.grant()));
    }
    String value = json.encode();
    String subject = "client " + record.clientId();
    return Future.all(
            calls.call("saveSession", subject, Request.cmd(Command.SET).arg(key).arg(value)),
            calls.call("saveSession", subject, Request.cmd(Command.SADD).arg(keyspace.nodeKey(record.nodeId(), "sessions")).arg(key)))
        .mapEmpty();
  }

  @Override
  public Future<SessionRecord> findSession(String sessionToken) {
    return calls.call("findSession", "session", Request.cmd(Command.GET).arg(keyspace.session(hash(sessionToken))))
        .map(reply -> {
          if (reply == null) {
            return null;
          }
          JsonObject json = new JsonObject(reply.toString());
          List<RoomId> rooms = new ArrayList<>();
          json.getJsonArray("rooms", new JsonArray()).forEach(room -> rooms.add(new RoomId((String) room)));
          JsonObject grant = json.getJsonObject("grant");
          return new SessionRecord(new ClientId(json.getString("clientId")), json.getString("node"), rooms,
              grant == null ? null : decodeGrant(grant));
        });
  }

  @Override
  public Future<Void> deleteSession(String sessionToken, SessionRecord record) {
    String key = keyspace.session(hash(sessionToken));
    String subject = "client " + record.clientId();
    return Future.all(
            calls.call("deleteSession", subject, Request.cmd(Command.DEL).arg(key)),
            calls.call("deleteSession", subject, Request.cmd(Command.SREM).arg(keyspace.nodeKey(record.nodeId(), "sessions")).arg(key)))
        .mapEmpty();
  }

  @Override
  public Future<Boolean> offerInbox(ClientId client, String frame, int capacity, Duration ttl) {
    return calls.script("offerInbox", "client " + client, INBOX_OFFER, List.of(keyspace.inbox(client)),
        List.of(frame, Integer.toString(capacity), Long.toString(ttl.toMillis()))).map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<List<String>> drainInbox(ClientId client) {
    return calls.script("drainInbox", "client " + client, INBOX_DRAIN, List.of(keyspace.inbox(client)), List.of())
        .map(reply -> {
          List<String> frames = new ArrayList<>(reply.size());
          reply.forEach(frame -> frames.add(frame.toString()));
          return frames;
        });
  }

  @Override
  public boolean healthy() {
    return healthy;
  }

  private static JsonObject encodeGrant(RoomToken grant) {
    return new JsonObject().put("sub", grant.subject()).put("room", grant.room()).put("name", grant.name())
        .put("exp", grant.expiresAt().toEpochMilli())
        .put("nbf", grant.notBefore() == null ? null : grant.notBefore().toEpochMilli())
        .put("capacity", grant.capacity()).put("canPublish", grant.canPublish());
  }

  private static RoomToken decodeGrant(JsonObject json) {
    Long notBefore = json.getLong("nbf");
    return new RoomToken(json.getString("sub"), json.getString("room"), json.getString("name"),
        Instant.ofEpochMilli(json.getLong("exp")), notBefore == null ? null : Instant.ofEpochMilli(notBefore),
        json.getInteger("capacity"), json.getBoolean("canPublish", true));
  }

  /** Session tokens are secrets: Redis holds only their SHA-256. */
  private static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
