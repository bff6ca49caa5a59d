package io.signalmesh.presence;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Consumer;

/**
 * Presence for the embedded default: one node, kept in this JVM. Thread-safe (sessions live on
 * several event loops): every change to a room runs inside {@link ConcurrentHashMap#compute},
 * which runs it exactly once under the room's lock, so joins into one room are serialised and
 * capacity holds exactly. A sorted set of room ids, kept in step inside the same sections,
 * serves paging. Webhook events go to the outbox inside the same sections, so they are in step
 * with the changes too.
 */
public final class InMemoryPresenceStore implements PresenceStore {

  private final ConcurrentHashMap<String, Map<ClientId, Member>> rooms = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<String> roomIds = new ConcurrentSkipListSet<>();
  private final Consumer<String> outbox;

  /** A store without webhooks. */
  public InMemoryPresenceStore() {
    this(event -> { });
  }

  /** A store that hands each change's webhook events to {@code outbox} (quickly, without blocking: it runs under a room's lock). */
  public InMemoryPresenceStore(Consumer<String> outbox) {
    this.outbox = outbox;
  }

  @Override
  public Future<JoinResult> join(RoomId room, Member member, int capacity, OutboxEvents events) {
    JoinResult[] result = new JoinResult[1];
    rooms.compute(room.value(), (id, members) -> {
      Map<ClientId, Member> current = members == null ? new LinkedHashMap<>() : members;
      Member previous = current.get(member.clientId());
      if (previous == null && current.size() >= capacity) {
        result[0] = new JoinResult.Full(capacity);
        return members;
      }
      if (previous == null) {
        if (current.isEmpty()) {
          record(events.room());
        }
        record(events.member());
      }
      long joinedAt = previous == null ? member.joinedAtMillis() : previous.joinedAtMillis();
      current.put(member.clientId(),
          new Member(member.clientId(), member.nodeId(), member.name(), member.metadata(), joinedAt));
      List<Member> others = new ArrayList<>(current.size() - 1);
      for (Member m : current.values()) {
        if (!m.clientId().equals(member.clientId())) {
          others.add(m);
        }
      }
      result[0] = new JoinResult.Joined(others, previous != null);
      roomIds.add(id);
      return current;
    });
    return Future.succeededFuture(result[0]);
  }

  @Override
  public Future<Boolean> leave(RoomId room, ClientId client, OutboxEvents events) {
    boolean[] removed = new boolean[1];
    rooms.computeIfPresent(room.value(), (id, members) -> {
      removed[0] = members.remove(client) != null;
      announceLeave(removed[0], members, events);
      return remaining(id, members);
    });
    return Future.succeededFuture(removed[0]);
  }

  @Override
  public Future<Boolean> leaveIfOnNode(RoomId room, ClientId client, String nodeId, OutboxEvents events) {
    boolean[] removed = new boolean[1];
    rooms.computeIfPresent(room.value(), (id, members) -> {
      Member member = members.get(client);
      if (member != null && member.nodeId().equals(nodeId)) {
        members.remove(client);
        removed[0] = true;
      }
      announceLeave(removed[0], members, events);
      return remaining(id, members);
    });
    return Future.succeededFuture(removed[0]);
  }

  /** Called inside compute: the member event if one was removed, then the room event if that emptied the room. */
  private void announceLeave(boolean removed, Map<ClientId, Member> members, OutboxEvents events) {
    if (removed) {
      record(events.member());
      if (members.isEmpty()) {
        record(events.room());
      }
    }
  }

  private void record(String event) {
    if (event != null) {
      outbox.accept(event);
    }
  }

  @Override
  public Future<List<Member>> members(RoomId room) {
    List<Member> snapshot = new ArrayList<>();
    rooms.computeIfPresent(room.value(), (id, members) -> {
      snapshot.addAll(members.values());
      return members;
    });
    return Future.succeededFuture(snapshot);
  }

  @Override
  public Future<List<RoomId>> rooms(String after, int limit) {
    Set<String> tail = after == null ? roomIds : roomIds.tailSet(after, false);
    List<RoomId> ids = new ArrayList<>(Math.min(limit, 64));
    for (String id : tail) {
      if (ids.size() >= limit) {
        break;
      }
      ids.add(new RoomId(id));
    }
    return Future.succeededFuture(ids);
  }

  @Override
  public Future<List<NodeMembership>> membershipsOfNode(String nodeId) {
    List<NodeMembership> held = new ArrayList<>();
    for (String id : roomIds) {
      RoomId room = new RoomId(id);
      members(room).result().stream()
          .filter(m -> m.nodeId().equals(nodeId))
          .forEach(m -> held.add(new NodeMembership(room, m)));
    }
    return Future.succeededFuture(held);
  }

  /** The room's map, or null (removing the room) once it is empty; called inside compute. */
  private Map<ClientId, Member> remaining(String id, Map<ClientId, Member> members) {
    if (members.isEmpty()) {
      roomIds.remove(id);
      return null;
    }
    return members;
  }

  @Override
  public Future<Void> close() {
    rooms.clear();
    roomIds.clear();
    return Future.succeededFuture();
  }
}
