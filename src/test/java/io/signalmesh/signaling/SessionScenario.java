package io.signalmesh.signaling;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.signalmesh.protocol.HostileFrames;
import io.signalmesh.signaling.SessionStep.Broadcast;
import io.signalmesh.signaling.SessionStep.Close;
import io.signalmesh.signaling.SessionStep.CloseRoom;
import io.signalmesh.signaling.SessionStep.Drop;
import io.signalmesh.signaling.SessionStep.Garbage;
import io.signalmesh.signaling.SessionStep.GetPeers;
import io.signalmesh.signaling.SessionStep.GuessResume;
import io.signalmesh.signaling.SessionStep.Join;
import io.signalmesh.signaling.SessionStep.Kick;
import io.signalmesh.signaling.SessionStep.Leave;
import io.signalmesh.signaling.SessionStep.Reconnect;
import io.signalmesh.signaling.SessionStep.Relay;
import io.signalmesh.signaling.SessionStep.Resume;
import io.signalmesh.testsupport.LogCapture;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Runs one generated scenario against a real node and checks it step by step against a model
 * of who is in which room: after every step each client got exactly the frames the protocol
 * promises it (its reply or error, the room events, the relays, in order), and the three views
 * of every room agree: what each client built from its events, the model, and the presence
 * store as the admin REST API shows it. No ERROR is logged.
 */
final class SessionScenario {

  static final int CAPACITY = 3;
  static final int MAX_ROOMS = 2;
  private static final Duration WAIT = Duration.ofSeconds(5);

  private enum Life { CONNECTED, DROPPED, CLOSED }

  private record Expected(String what, Predicate<JsonObject> match) {
    @Override
    public String toString() {
      return what;
    }
  }

  private final class Slot {
    final String name;
    Participant participant;
    Life life = Life.CONNECTED;
    final Set<Integer> rooms = new TreeSet<>();
    final List<Expected> expected = new ArrayList<>();
    /** What the server owes it while its connection is gone, delivered on resume. */
    final List<Expected> owed = new ArrayList<>();

    Slot(String name, Participant participant) {
      this.name = name;
      this.participant = participant;
    }

    void expect(Expected frame) {
      if (life == Life.CONNECTED) {
        expected.add(frame);
      } else if (life == Life.DROPPED) {
        owed.add(frame);
      }
    }

    String id() {
      return participant.id();
    }
  }

  private final TestNode node;
  private final AdminRooms admin;
  private final LogCapture logs;
  private final String prefix;
  private final List<Slot> slots = new ArrayList<>();
  private final HostileFrames frames = new HostileFrames(new io.signalmesh.protocol.FieldLimits(64, 1024));
  private final int firstLogEvent;
  private long seq;

  SessionScenario(TestNode node, AdminRooms admin, LogCapture logs, String prefix) {
    this.node = node;
    this.admin = admin;
    this.logs = logs;
    this.prefix = prefix;
    this.firstLogEvent = logs.events().size();
  }

  void run(List<SessionStep> steps) {
    int sessionsBefore = admin.sessions();
    try {
      for (int i = 0; i < SessionStep.CLIENTS; i++) {
        String name = "c" + i + " " + HostileFrames.text(new Random(prefix.hashCode() + i), 0, 20, false);
        slots.add(new Slot(name, new Participant("c" + i, node.connect())));
      }
      for (int i = 0; i < steps.size(); i++) {
        if (apply(steps.get(i))) {
          settle("after step " + (i + 1) + " (" + steps.get(i) + ")");
        }
      }
      for (int i = 0; i < slots.size(); i++) {
        if (apply(new Resume(i))) {
          settle("after c" + i + " resumed at the end");
        }
      }
      for (int i = 0; i < slots.size(); i++) {
        if (apply(new Close(i))) {
          settle("after c" + i + " closed at the end");
        }
      }
      awaitCondition("the node to hold no room and no session of this scenario once everyone left",
          () -> ownRooms().isEmpty() && admin.sessions() == sessionsBefore);
    } finally {
      cleanUp();
    }
  }

  private boolean apply(SessionStep step) {
    if (step instanceof Join join) {
      return connected(join.client()) && join(slot(join.client()), join.room());
    } else if (step instanceof Leave leave) {
      return connected(leave.client()) && leave(slot(leave.client()), leave.room());
    } else if (step instanceof Relay relay) {
      return connected(relay.client()) && relay(slot(relay.client()), slot(relay.target()), relay.seed());
    } else if (step instanceof Broadcast broadcast) {
      return connected(broadcast.client()) && broadcast(slot(broadcast.client()), broadcast.room());
    } else if (step instanceof GetPeers peers) {
      return connected(peers.client()) && getPeers(slot(peers.client()));
    } else if (step instanceof Garbage garbage) {
      return connected(garbage.client()) && garbage(slot(garbage.client()), garbage.frame());
    } else if (step instanceof Close close) {
      return connected(close.client()) && close(slot(close.client()));
    } else if (step instanceof Drop drop) {
      return connected(drop.client()) && drop(slot(drop.client()), drop.goingAway());
    } else if (step instanceof Resume resume) {
      return slot(resume.client()).life == Life.DROPPED && resume(slot(resume.client()));
    } else if (step instanceof Reconnect again) {
      return slot(again.client()).life == Life.CLOSED && reconnect(slot(again.client()));
    } else if (step instanceof GuessResume guess) {
      return guessResume(guess.seed());
    } else if (step instanceof Kick kick) {
      return kick(slot(kick.client()), kick.room());
    } else if (step instanceof CloseRoom close) {
      return closeRoom(close.room());
    }
    throw new IllegalArgumentException("unknown step " + step);
  }

  // ---- the steps, each with what the protocol promises ----

  private boolean join(Slot s, int r) {
    s.participant.client().send(new JsonObject().put("type", "join-room").put("roomId", room(r)).put("name", s.name));
    if (s.rooms.contains(r)) {
      s.expect(roomParticipants(r, s));
    } else if (s.rooms.size() >= MAX_ROOMS) {
      s.expect(error("forbidden", "join-room"));
    } else if (members(r).size() >= CAPACITY) {
      s.expect(error("room-full", "join-room"));
    } else {
      s.expect(roomParticipants(r, s));
      for (Slot other : members(r)) {
        other.expect(frame("participant-joined", new JsonObject().put("type", "participant-joined")
            .put("roomId", room(r)).put("participantId", s.id()).put("name", s.name)));
      }
      s.rooms.add(r);
    }
    return true;
  }

  private boolean leave(Slot s, int r) {
    s.participant.client().send(new JsonObject().put("type", "leave-room").put("roomId", room(r)));
    if (s.rooms.remove(r)) {
      s.participant.left(room(r));
      for (Slot other : members(r)) {
        other.expect(left(r, s, "left"));
      }
    } else {
      s.expect(error("not-in-room", "leave-room"));
    }
    return true;
  }

  private boolean relay(Slot s, Slot target, long seed) {
    JsonObject payload = frames.relay(new Random(seed), target.id()).put("seq", ++seq).put("senderId", target.id());
    String text = payload.encode();
    s.participant.client().sendText(text);
    boolean shared = target != s && target.life != Life.CLOSED && !Collections.disjoint(s.rooms, target.rooms);
    if (shared) {
      JsonObject arrives = new JsonObject(text);
      arrives.remove("targetId");
      arrives.put("senderId", s.id());
      target.expect(frame(payload.getString("type") + " #" + seq + " from " + s.participant, arrives));
    } else {
      s.expect(error("unknown-peer", payload.getString("type")));
    }
    return true;
  }

  private boolean broadcast(Slot s, int r) {
    JsonObject data = new JsonObject().put("n", ++seq).put("text", HostileFrames.text(new Random(seq), 0, 30, false));
    s.participant.client().send(new JsonObject().put("type", "broadcast").put("roomId", room(r)).put("data", data));
    if (s.rooms.contains(r)) {
      for (Slot other : members(r)) {
        if (other != s) {
          other.expect(frame("broadcast #" + seq, new JsonObject().put("type", "broadcast").put("roomId", room(r))
              .put("senderId", s.id()).put("data", data)));
        }
      }
    } else {
      s.expect(error("not-in-room", "broadcast"));
    }
    return true;
  }

  private boolean getPeers(Slot s) {
    s.participant.client().send(new JsonObject().put("type", "get-peers"));
    Set<String> peers = peerIds(s);
    s.expect(new Expected("peers-list " + peers, m -> "peers-list".equals(m.getString("type"))
        && new TreeSet<>(m.getJsonArray("peers").getList()).equals(peers)));
    return true;
  }

  private boolean garbage(Slot s, HostileFrames.Invalid frame) {
    s.participant.client().sendText(frame.text());
    s.expect(error(frame.code().wireName(), frame.ref()));
    return true;
  }

  private boolean close(Slot s) {
    // the client hears the server's close frame before the node has ended the session
    awaitLogAfter(s, "session ended", () -> s.participant.client().closeNormally());
    s.life = Life.CLOSED;
    for (String peer : peerIds(s)) {
      slotOf(peer).expect(frame("peer-disconnected", new JsonObject().put("type", "peer-disconnected")
          .put("clientId", s.id())));
    }
    for (int r : List.copyOf(s.rooms)) {
      s.rooms.remove(r);
      for (Slot other : members(r)) {
        other.expect(left(r, s, "left"));
      }
    }
    return true;
  }

  private boolean drop(Slot s, boolean goingAway) {
    // until the node notices, what it writes to the dead connection is lost with it (not kept for the resume)
    awaitLogAfter(s, "connection lost, waiting for resume", goingAway
        ? () -> s.participant.client().closeWith(1001, "going away")
        : () -> s.participant.client().dropConnection());
    s.life = Life.DROPPED;
    return true;
  }

  /** Does {@code action} and waits until the node logs {@code text} about the slot's client once more. */
  private void awaitLogAfter(Slot s, String text, Runnable action) {
    Set<ILoggingEvent> earlier = Collections.newSetFromMap(new IdentityHashMap<>());
    Predicate<ILoggingEvent> match = LogCapture.about(s.id(), text);
    logs.events().stream().filter(match).forEach(earlier::add);
    action.run();
    logs.await(match.and(event -> !earlier.contains(event)));
  }

  private boolean resume(Slot s) {
    TestClient back = node.connect("/ws?resume=" + s.participant.sessionToken());
    check(back.connected().getBoolean("resumed", false) && back.id().equals(s.id()),
        s.participant + " resumed as " + back.connected().encode());
    s.participant.attach(back);
    s.life = Life.CONNECTED;
    s.expected.addAll(s.owed);
    s.owed.clear();
    return true;
  }

  private boolean reconnect(Slot s) {
    TestClient fresh = node.connect();
    check(!fresh.connected().getBoolean("resumed", false), "a new connection came back resumed");
    s.participant.attach(fresh);
    s.life = Life.CONNECTED;
    return true;
  }

  private boolean guessResume(long seed) {
    byte[] guess = new byte[32];
    new Random(seed).nextBytes(guess);
    try (TestClient stranger = node.connect("/ws?resume=" + Base64.getUrlEncoder().withoutPadding().encodeToString(guess))) {
      check(!stranger.connected().getBoolean("resumed", false), "a guessed resume token resumed a session");
      check(slots.stream().noneMatch(slot -> slot.id().equals(stranger.id())), "a guessed token got a client's id");
      stranger.closeNormally();
    }
    return true;
  }

  private boolean kick(Slot s, int r) {
    int status = admin.kick(room(r), s.id());
    if (s.life != Life.CLOSED && s.rooms.remove(r)) {
      check(status == 200, "kicking " + s.participant + " from " + room(r) + " answered " + status);
      s.expect(frame("room-closed (kicked)", new JsonObject().put("type", "room-closed").put("roomId", room(r))
          .put("reason", "kicked")));
      for (Slot other : members(r)) {
        other.expect(left(r, s, "kicked"));
      }
    } else {
      check(status == 404, "kicking " + s.participant + " who is not in " + room(r) + " answered " + status);
    }
    return true;
  }

  private boolean closeRoom(int r) {
    List<Slot> members = members(r);
    int status = admin.close(room(r));
    check(status == (members.isEmpty() ? 404 : 200), "closing " + room(r) + " answered " + status);
    for (Slot member : members) {
      member.rooms.remove(r);
      member.expect(frame("room-closed (admin)", new JsonObject().put("type", "room-closed").put("roomId", room(r))
          .put("reason", "admin")));
    }
    return true;
  }

  // ---- checks ----

  /** Waits for what each connected client is owed, then checks frames, presence and views agree. */
  private void settle(String when) {
    for (Slot s : slots) {
      if (s.life == Life.CONNECTED) {
        awaitExpected(s, when);
      }
    }
    for (Slot s : slots) {
      if (s.life == Life.CONNECTED) {
        s.participant.barrier(WAIT);
        checkWindow(s, s.participant.takeWindow(), when);
        s.expected.clear();
        check(s.participant.violations().isEmpty(), when + ": " + s.participant.violations());
      }
    }
    checkPresence(when);
    for (Slot s : slots) {
      if (s.life == Life.CONNECTED) {
        Map<String, Set<String>> modelled = new TreeMap<>();
        for (int r : s.rooms) {
          Set<String> others = new TreeSet<>();
          members(r).stream().filter(m -> m != s).forEach(m -> others.add(m.id()));
          modelled.put(room(r), others);
        }
        check(new TreeMap<>(s.participant.view()).equals(modelled),
            when + ": " + s.participant + " sees " + new TreeMap<>(s.participant.view()) + " but presence holds " + modelled);
      }
    }
    List<ILoggingEvent> events = logs.events();
    for (ILoggingEvent event : events.subList(firstLogEvent, events.size())) {
      check(!event.getLevel().isGreaterOrEqual(Level.ERROR), when + ": the node logged an error: "
          + event.getFormattedMessage() + " " + event.getThrowableProxy());
    }
  }

  private void awaitExpected(Slot s, String when) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      s.participant.absorb();
      if (unmatched(s.expected, s.participant.window()).isEmpty()) {
        return;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || !s.participant.awaitMore(Duration.ofNanos(left))) {
        throw new AssertionError(when + ": " + s.participant + " never got " + unmatched(s.expected, s.participant.window())
            + "; got " + s.participant.window());
      }
    }
  }

  /** Exactly the expected frames (in any order within a step), relays from each sender in the order sent. */
  private void checkWindow(Slot s, List<JsonObject> window, String when) {
    List<Expected> missing = unmatched(s.expected, window);
    check(missing.isEmpty(), when + ": " + s.participant + " did not get " + missing + "; got " + window);
    List<JsonObject> extra = new ArrayList<>(window);
    for (Expected expected : s.expected) {
      extra.stream().filter(expected.match()).findFirst().ifPresent(extra::remove);
    }
    check(extra.isEmpty(), when + ": " + s.participant + " got unexpected " + extra);
    Map<String, Long> lastSeq = new TreeMap<>();
    for (JsonObject frame : window) {
      if (frame.containsKey("seq") && frame.containsKey("senderId")) {
        long previous = lastSeq.getOrDefault(frame.getString("senderId"), 0L);
        check(frame.getLong("seq") > previous, when + ": " + s.participant + " got relays out of order: " + window);
        lastSeq.put(frame.getString("senderId"), frame.getLong("seq"));
      }
    }
  }

  /**
   * The presence store (through the admin API) holds what the model holds. Polled for a while:
   * the node ends a session (and its memberships) just after the client saw its close.
   */
  private void checkPresence(String when) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String mismatch = presenceMismatch();
    while (mismatch != null && System.nanoTime() - deadline < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
      mismatch = presenceMismatch();
    }
    check(mismatch == null, when + ": " + mismatch);
  }

  private String presenceMismatch() {
    Map<String, Integer> modelled = new TreeMap<>();
    for (int r = 0; r < SessionStep.ROOMS; r++) {
      List<Slot> members = members(r);
      Map<String, String> expected = new TreeMap<>();
      members.forEach(m -> expected.put(m.id(), m.life == Life.CONNECTED ? "connected" : "resuming"));
      Map<String, String> stored = admin.members(room(r));
      if (!stored.equals(expected)) {
        return "presence holds " + stored + " in " + room(r) + " but the clients are " + expected;
      }
      if (!members.isEmpty()) {
        modelled.put(room(r), members.size());
      }
    }
    Map<String, Integer> listed = ownRooms();
    return listed.equals(modelled) ? null : "the node lists rooms " + listed + " but holds " + modelled;
  }

  private static List<Expected> unmatched(List<Expected> expected, List<JsonObject> window) {
    List<JsonObject> left = new ArrayList<>(window);
    List<Expected> missing = new ArrayList<>();
    for (Expected e : expected) {
      JsonObject found = left.stream().filter(e.match()).findFirst().orElse(null);
      if (found == null) {
        missing.add(e);
      } else {
        left.remove(found);
      }
    }
    return missing;
  }

  private void awaitCondition(String what, java.util.function.BooleanSupplier condition) {
    Wait.until(what, WAIT, condition);
  }

  private static void check(boolean holds, String failure) {
    if (!holds) {
      throw new AssertionError(failure);
    }
  }

  // ---- expected frames ----

  private Expected roomParticipants(int r, Slot joiner) {
    Map<String, String> others = new TreeMap<>();
    members(r).stream().filter(m -> m != joiner).forEach(m -> others.put(m.id(), m.name));
    return new Expected("room-participants " + room(r) + " " + others.keySet(), m -> {
      if (!"room-participants".equals(m.getString("type")) || !room(r).equals(m.getString("roomId"))) {
        return false;
      }
      if (!new TreeSet<>(m.getJsonArray("participants").getList()).equals(others.keySet())) {
        return false;
      }
      JsonObject profiles = m.getJsonObject("profiles");
      return others.entrySet().stream().allMatch(o -> profiles.getJsonObject(o.getKey()) != null
          && o.getValue().equals(profiles.getJsonObject(o.getKey()).getString("name")));
    });
  }

  private Expected left(int r, Slot leaver, String reason) {
    return frame("participant-left " + leaver.participant + " (" + reason + ")", new JsonObject()
        .put("type", "participant-left").put("roomId", room(r)).put("participantId", leaver.id()).put("reason", reason));
  }

  private static Expected error(String code, String ref) {
    return new Expected("error " + code + " (ref " + ref + ")", m -> "error".equals(m.getString("type"))
        && code.equals(m.getString("code")) && java.util.Objects.equals(ref, m.getString("ref"))
        && !m.getString("message", "").isBlank());
  }

  private static Expected frame(String what, JsonObject exactly) {
    return new Expected(what, exactly::equals);
  }

  // ---- the model ----

  private String room(int r) {
    return prefix + "-r" + r;
  }

  private Slot slot(int index) {
    return slots.get(index);
  }

  private boolean connected(int index) {
    return slot(index).life == Life.CONNECTED;
  }

  private Slot slotOf(String id) {
    return slots.stream().filter(s -> s.id().equals(id) && s.life != Life.CLOSED).findFirst().orElseThrow();
  }

  private List<Slot> members(int r) {
    return slots.stream().filter(s -> s.life != Life.CLOSED && s.rooms.contains(r)).toList();
  }

  private Set<String> peerIds(Slot s) {
    Set<String> peers = new TreeSet<>();
    for (int r : s.rooms) {
      members(r).stream().filter(m -> m != s).forEach(m -> peers.add(m.id()));
    }
    return peers;
  }

  private Map<String, Integer> ownRooms() {
    Map<String, Integer> own = new TreeMap<>(admin.rooms());
    own.keySet().removeIf(room -> !room.startsWith(prefix + "-"));
    return own;
  }

  /** Leaves nothing behind for the next scenario, whatever state this one failed in. */
  private void cleanUp() {
    for (Slot s : slots) {
      try {
        if (s.life == Life.DROPPED) {
          node.connect("/ws?resume=" + s.participant.sessionToken()).closeNormally();
        } else if (s.life == Life.CONNECTED) {
          s.participant.client().closeNormally();
        }
      } catch (RuntimeException | AssertionError ignored) {
        // best effort: the scenario's own failure is what gets reported
      }
    }
  }
}
