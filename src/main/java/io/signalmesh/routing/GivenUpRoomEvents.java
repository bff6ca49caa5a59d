package io.signalmesh.routing;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Room events ({@code participant-joined}, {@code participant-left}, a resume's move) that a
 * live node did not confirm in time and that were given up, kept per node and member until
 * they are sent again: without them that node's view of the room (and what its clients were
 * told) would differ from this node's until the member changes again. Only the latest event of
 * a member in a room counts, and a newer one sent to the node meanwhile supersedes it.
 */
final class GivenUpRoomEvents {

  /** A member of a room, as room events name it. */
  record Key(RoomId room, ClientId member) {}

  /** The last event given up for the key: joined or left, with the frame (its UTF-8 bytes) and the clients it was for. */
  record Event(Key key, boolean joined, byte[] frame, List<ClientId> targets) {}

  private final ConcurrentHashMap<String, ConcurrentHashMap<Key, Event>> byNode = new ConcurrentHashMap<>();

  /** The node did not confirm this event in time. */
  void givenUp(String node, Event event) {
    byNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).put(event.key(), event);
  }

  /** A newer event for the member in the room goes to the node: the given-up one is out of date. */
  void superseded(String node, RoomId room, ClientId member) {
    if (byNode.isEmpty()) {
      return;
    }
    Map<Key, Event> events = byNode.get(node);
    if (events != null) {
      events.remove(new Key(room, member));
    }
  }

  /** Takes what was given up for the node, to send again. */
  List<Event> take(String node) {
    Map<Key, Event> events = byNode.remove(node);
    return events == null ? List.of() : List.copyOf(events.values());
  }

  /** Nodes with given-up room events. */
  List<String> nodes() {
    return List.copyOf(byNode.keySet());
  }

  /** The node is dead: its views are gone with it. */
  void forget(String node) {
    byNode.remove(node);
  }
}
