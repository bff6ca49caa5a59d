package io.signalmesh.presence;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;

/**
 * Where {@link RedisPresenceStore} keeps presence in Redis. Every key of one room carries the hash
 * tag {@code {roomId}}, so a script that touches a room stays in one slot and runs on Redis
 * Cluster too. The two indexes cannot share a room's slot: on Redis Cluster they are updated
 * right after each script, idempotently (elsewhere join.lua updates them itself), and read defensively (an entry whose room or member is gone is skipped
 * and removed).
 *
 * <p>Every key starts with the prefix of {@code --redis-key-prefix}, {@code signalmesh:} by default
 * (shown below).
 *
 * <table>
 *   <caption>Keys (room membership has no TTL: it lives until leave or reaping)</caption>
 *   <tr><th>Key</th><th>Type</th><th>Holds</th></tr>
 *   <tr><td>{@code signalmesh:room:{<roomId>}:members}</td><td>HASH</td>
 *       <td>clientId -> member JSON {@code {"joinedAt":millis,"node":..,"name":..,"metadata":{..}}};
 *           Redis deletes it with its last field</td></tr>
 *   <tr><td>{@code signalmesh:rooms}</td><td>ZSET</td>
 *       <td>room ids, all with score 0, so ZRANGEBYLEX pages them in id order</td></tr>
 *   <tr><td>{@code signalmesh:node:{<nodeId>}:memberships}</td><td>SET</td>
 *       <td>{@code <roomId>|<clientId>} for every member whose session that node holds</td></tr>
 *   <tr><td>{@code signalmesh:nodes}</td><td>SET</td><td>ids of nodes that have heartbeaten and are not yet reaped</td></tr>
 *   <tr><td>{@code {signalmesh:nodes}:deadlines}</td><td>ZSET</td>
 *       <td>node id -> when its liveness expires (epoch millis by Redis's clock), moved by each heartbeat,
 *           0 once declared dead: the dead-node check reads only the passed ones; the hash tag puts it
 *           in the slot of {@code signalmesh:nodes}, so one script updates both on Redis Cluster too</td></tr>
 *   <tr><td>{@code signalmesh:node:{<nodeId>}:alive}</td><td>STRING, TTL</td><td>the node's liveness</td></tr>
 *   <tr><td>{@code signalmesh:node:{<nodeId>}:asserted}</td><td>STRING</td>
 *       <td>set once the node's presence is whole; its absence means Redis lost data</td></tr>
 *   <tr><td>{@code signalmesh:node:{<nodeId>}:dead}</td><td>STRING, TTL 1 day</td>
 *       <td>the node was declared dead (its liveness expired); it clears this when it rejoins</td></tr>
 *   <tr><td>{@code signalmesh:node:{<nodeId>}:reaper}</td><td>STRING, TTL</td><td>which node reaps a dead one</td></tr>
 *   <tr><td>{@code signalmesh:node:{<nodeId>}:sessions}</td><td>SET</td><td>session keys the node holds</td></tr>
 *   <tr><td>{@code signalmesh:session:{<sha256(token)>}}</td><td>STRING</td>
 *       <td>resumable session JSON {@code {"clientId","node","rooms":[..]}}; the token itself is never stored</td></tr>
 *   <tr><td>{@code signalmesh:inbox:{<clientId>}}</td><td>LIST, TTL</td>
 *       <td>frames for a client whose node died, until it resumes (bounded)</td></tr>
 *   <tr><td>{@code signalmesh:webhooks:{<receiver>}}</td><td>STREAM</td>
 *       <td>webhook events not yet acknowledged by one receiver (field {@code event}), read through the
 *           consumer group {@code deliverers}; named by {@code webhook.Receiver}, written through
 *           {@link OutboxStreams}</td></tr>
 * </table>
 */
public final class RedisPresenceKeys {

  /** {@code --redis-key-prefix}'s default. */
  public static final String DEFAULT_PREFIX = "signalmesh:";
  /** The keys under {@link #DEFAULT_PREFIX}. */
  public static final RedisPresenceKeys DEFAULT = new RedisPresenceKeys(DEFAULT_PREFIX);
  /** Separates room and client in a node-memberships entry; room ids never contain it. */
  static final char ENTRY_SEPARATOR = '|';

  private final String prefix;
  private final String rooms;
  private final String nodes;
  private final String nodeDeadlines;

  /**
   * The keys under {@code prefix}, so that meshes (or a node's private warm-up) can share a Redis
   * database without seeing each other. A brace in it would become the hash tag of every key
   * (ServerConfig refuses one), taking a room's keys out of one slot on Redis Cluster.
   */
  public RedisPresenceKeys(String prefix) {
    if (prefix.isEmpty() || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException("a key prefix must be non-empty and hold no brace: " + prefix);
    }
    this.prefix = prefix;
    this.rooms = prefix + "rooms";
    this.nodes = prefix + "nodes";
    this.nodeDeadlines = "{" + nodes + "}:deadlines";
  }

  /** ZSET of the ids of rooms with members (score 0, lexicographic order). */
  String rooms() {
    return rooms;
  }

  /** HASH clientId -> member JSON of one room. */
  String roomMembers(RoomId room) {
    return prefix + "room:{" + room.value() + "}:members";
  }

  /** SET of {@code roomId|clientId} entries held by one node. */
  String nodeMemberships(String nodeId) {
    return prefix + "node:{" + nodeId + "}:memberships";
  }

  /** SET of ids of nodes known to the mesh. */
  String nodes() {
    return nodes;
  }

  /** ZSET node id -> heartbeat deadline (epoch millis, Redis's clock); its hash tag is {@link #nodes()}'s slot. */
  String nodeDeadlines() {
    return nodeDeadlines;
  }

  String nodeKey(String nodeId, String suffix) {
    return prefix + "node:{" + nodeId + "}:" + suffix;
  }

  String session(String tokenHash) {
    return prefix + "session:{" + tokenHash + "}";
  }

  String inbox(ClientId client) {
    return prefix + "inbox:{" + client.value() + "}";
  }

  /** STREAM of one webhook receiver's undelivered events, {@code receiver} a hash of its URL. */
  public String webhookStream(String receiver) {
    return prefix + "webhooks:{" + receiver + "}";
  }

  static String membershipEntry(RoomId room, ClientId client) {
    return room.value() + ENTRY_SEPARATOR + client.value();
  }
}
