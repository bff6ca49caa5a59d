package io.signalmesh.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny signaling server that speaks enough of the protocol for {@code bench relay} and
 * {@code bench churn} (connected, join-room, leave-room, relay, ping) and misbehaves on purpose with every 10th relayed frame:
 * drops it, sends it twice, swaps it with the next frame to the same target, or sets a wrong
 * senderId. It counts what it did, so a test can compare the load generator's report with it.
 * One event loop: everything here is confined to it.
 */
final class MisbehavingRelay implements AutoCloseable {

  /**
   * LATE_NEWS misbehaves with joins, not frames: members hear of a newcomer 300 ms after its join
   * was answered (as from a node that learns of it from another node), and a relay to a peer its
   * sender was not told of yet is refused with {@code unknown-peer}.
   */
  enum Fault { NONE, DROP, DUPLICATE, SWAP, WRONG_SENDER, LATE_NEWS }

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final Fault fault;
  private final Map<String, ServerWebSocket> sockets = new HashMap<>();
  private final Map<String, Set<String>> rooms = new HashMap<>();
  private final Map<String, ArrayDeque<String>> heldFor = new HashMap<>();
  /** Whom each client was told of (LATE_NEWS). */
  private final Map<String, Set<String>> told = new HashMap<>();
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();
  private final AtomicLong held = new AtomicLong();
  private long nextId;
  private final HttpServer server;

  private MisbehavingRelay(Fault fault) throws Exception {
    this.fault = fault;
    server = vertx.createHttpServer().webSocketHandler(this::accept)
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static MisbehavingRelay start(Fault fault) throws Exception {
    return new MisbehavingRelay(fault);
  }

  String url() {
    return "ws://127.0.0.1:" + server.actualPort() + "/ws";
  }

  /** How many relayed frames it misbehaved with. */
  long faults() {
    return faults.get();
  }

  /** Frames held back for a swap that never came (they were never delivered). */
  long stillHeld() {
    return held.get();
  }

  private void accept(ServerWebSocket socket) {
    String id = "c" + (nextId++);
    sockets.put(id, socket);
    socket.writeTextMessage(new JsonObject().put("type", "connected").put("clientId", id).encode());
    socket.textMessageHandler(text -> received(id, new JsonObject(text)));
    socket.closeHandler(v -> {
      sockets.remove(id);
      rooms.values().forEach(members -> members.remove(id));
    });
  }

  private void received(String id, JsonObject message) {
    String type = message.getString("type");
    switch (type) {
      case "join-room" -> {
        String room = message.getString("roomId");
        Set<String> members = rooms.computeIfAbsent(room, r -> new HashSet<>());
        JsonArray others = new JsonArray();
        members.forEach(others::add);
        String joined = new JsonObject().put("type", "participant-joined").put("roomId", room).put("participantId", id)
            .encode();
        Set<String> earlier = Set.copyOf(members);
        told.computeIfAbsent(id, k -> new HashSet<>()).addAll(earlier);
        vertx.setTimer(fault == Fault.LATE_NEWS ? 300 : 1, t -> earlier.stream().filter(sockets::containsKey).forEach(other -> {
          told.computeIfAbsent(other, k -> new HashSet<>()).add(id);
          sockets.get(other).writeTextMessage(joined);
        }));
        members.add(id);
        sockets.get(id).writeTextMessage(new JsonObject().put("type", "room-participants").put("roomId", room)
            .put("participants", others).encode());
      }
      case "leave-room" -> {
        Set<String> members = rooms.getOrDefault(message.getString("roomId"), Set.of());
        if (members.remove(id)) {
          String left = new JsonObject().put("type", "participant-left").put("participantId", id).put("reason", "left").encode();
          members.forEach(other -> sockets.get(other).writeTextMessage(left));
        }
      }
      case "ping" -> sockets.get(id).writeTextMessage("{\"type\":\"pong\"}");
      case "offer", "answer", "ice-candidate" -> relay(id, message);
      default -> sockets.get(id).writeTextMessage(new JsonObject().put("type", "error").put("code", "unknown-type").encode());
    }
  }

  private void relay(String senderId, JsonObject message) {
    String targetId = (String) message.remove("targetId");
    ServerWebSocket target = sockets.get(targetId);
    if (target == null) {
      return;
    }
    if (fault == Fault.LATE_NEWS && !told.getOrDefault(senderId, Set.of()).contains(targetId)) {
      sockets.get(senderId).writeTextMessage(new JsonObject().put("type", "error").put("code", "unknown-peer").encode());
      return;
    }
    message.put("senderId", senderId);
    boolean misbehave = relayed.incrementAndGet() % 10 == 0;
    ArrayDeque<String> waiting = heldFor.computeIfAbsent(targetId, t -> new ArrayDeque<>());
    if (misbehave && fault == Fault.WRONG_SENDER) {
      message.put("senderId", "someone-else");
    }
    String text = message.encode();
    if (misbehave && fault == Fault.DROP) {
      faults.incrementAndGet();
      return;
    }
    if (misbehave && fault == Fault.SWAP && waiting.isEmpty()) {
      waiting.add(text);
      held.incrementAndGet();
      return;
    }
    target.writeTextMessage(text);
    if (!waiting.isEmpty()) {
      // the held frame goes after a later one: one swap
      target.writeTextMessage(waiting.poll());
      held.decrementAndGet();
      faults.incrementAndGet();
    }
    if (misbehave && fault == Fault.DUPLICATE) {
      target.writeTextMessage(text);
      faults.incrementAndGet();
    }
    if (misbehave && fault == Fault.WRONG_SENDER) {
      faults.incrementAndGet();
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
