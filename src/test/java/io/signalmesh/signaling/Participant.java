package io.signalmesh.signaling;

import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One client of the generated session scenarios as an app would keep it: the rooms it believes
 * it is in and who it believes is in them, built only from the frames it receives (its
 * room-participants replies, then participant-joined, participant-left and room-closed), plus
 * every frame received since the scenario last looked (its window).
 */
final class Participant {

  final String name;
  private TestClient client;
  private String id;
  private String sessionToken;
  private final Map<String, Set<String>> rooms = new HashMap<>();
  private final List<JsonObject> window = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();

  Participant(String name, TestClient client) {
    this.name = name;
    attach(client);
  }

  /** A new connection for this participant: a resume keeps the view, a fresh session starts from nothing. */
  void attach(TestClient connected) {
    if (!connected.connected().getBoolean("resumed", false)) {
      rooms.clear();
    }
    this.client = connected;
    this.id = connected.id();
    this.sessionToken = connected.sessionToken();
  }

  TestClient client() {
    return client;
  }

  String id() {
    return id;
  }

  String sessionToken() {
    return sessionToken;
  }

  /** The rooms it believes it is in, each with the others it believes are there. */
  Map<String, Set<String>> view() {
    return rooms;
  }

  /** It left the room itself (no frame says so to the leaver). */
  void left(String room) {
    rooms.remove(room);
  }

  /** Frames that contradict its own view (an event for a room it is not in). */
  List<String> violations() {
    return violations;
  }

  /** Takes what has arrived into the window and the view. */
  void absorb() {
    for (JsonObject frame : client.drain()) {
      apply(frame);
      window.add(frame);
    }
  }

  /** Waits up to {@code timeout} for more frames; false if none came. */
  boolean awaitMore(Duration timeout) {
    return client.awaitAny(timeout);
  }

  /** Pings and takes everything up to the pong (which is not kept): all the server sent it before. */
  void barrier(Duration timeout) {
    client.send(new JsonObject().put("type", "ping"));
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean ponged = false;
    while (true) {
      for (JsonObject frame : client.drain()) {
        if (!ponged && "pong".equals(frame.getString("type"))) {
          ponged = true;
          continue;
        }
        apply(frame);
        window.add(frame);
      }
      if (ponged) {
        return;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || !client.awaitAny(Duration.ofNanos(left))) {
        throw new AssertionError(name + ": no pong within " + timeout.toMillis() + " ms; window " + window);
      }
    }
  }

  /** The frames received since the last call, in order. */
  List<JsonObject> takeWindow() {
    List<JsonObject> taken = List.copyOf(window);
    window.clear();
    return taken;
  }

  List<JsonObject> window() {
    return window;
  }

  private void apply(JsonObject frame) {
    String type = frame.getString("type", "");
    String room = frame.getString("roomId");
    switch (type) {
      case "room-participants" -> {
        Set<String> others = new HashSet<>();
        frame.getJsonArray("participants").forEach(p -> others.add((String) p));
        rooms.put(room, others);
      }
      case "participant-joined" -> inRoom(room, frame).ifPresent(members -> members.add(frame.getString("participantId")));
      case "participant-left" -> inRoom(room, frame).ifPresent(members -> members.remove(frame.getString("participantId")));
      case "room-closed" -> {
        if (rooms.remove(room) == null) {
          violations.add(name + " got " + frame.encode() + " for a room it is not in");
        }
      }
      default -> { }
    }
  }

  private Optional<Set<String>> inRoom(String room, JsonObject frame) {
    Set<String> members = rooms.get(room);
    if (members == null) {
      violations.add(name + " got " + frame.encode() + " for a room it is not in");
    }
    return Optional.ofNullable(members);
  }

  @Override
  public String toString() {
    return name + "(" + id + ")";
  }
}
