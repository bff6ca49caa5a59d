package io.signalmesh.routing;

import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one event-bus consumer (never one per peer: every clustered consumer is a
 * cluster-wide registration, eclipse-vertx/vert.x#3797), and the way to reach other nodes'
 * inboxes. A message carries a ready client frame as a Buffer and, in headers, whom it is for
 * and any room-view change that comes with it, so nothing is re-modelled on the way.
 */
public final class NodeInbox {

  public static final String ADDRESS_PREFIX = "signalmesh.node.";
  static final String TO = "to";
  static final String EVENT = "event";
  static final String ROOM = "room";
  static final String MEMBER = "member";
  static final String JOINED = "joined";
  static final String LEFT = "left";
  private static final Logger LOG = LoggerFactory.getLogger(NodeInbox.class);

  private final EventBus eventBus;
  private final String nodeId;
  private MessageConsumer<Buffer> consumer;

  public NodeInbox(EventBus eventBus, String nodeId) {
    this.eventBus = eventBus;
    this.nodeId = nodeId;
  }

  public static String address(String nodeId) {
    return ADDRESS_PREFIX + nodeId;
  }

  /** Starts taking messages; {@code deliver} gets each addressed client id and the frame. */
  public Future<Void> register(RoomViews views, BiConsumer<ClientId, String> deliver) {
    consumer = eventBus.consumer(address(nodeId), message -> receive(message, views, deliver));
    return consumer.completion();
  }

  public Future<Void> unregister() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Sends one frame to several clients held by {@code node}. */
  public void send(String node, List<ClientId> targets, String frame) {
    eventBus.send(address(node), Buffer.buffer(frame), options(targets));
  }

  /** Tells {@code node} that {@code member} joined (it updates its view) and hands it the frame for its clients. */
  public void sendJoined(String node, List<ClientId> targets, RoomId room, Member member, String frame) {
    JsonObject encoded = new JsonObject()
        .put("id", member.clientId().value()).put("node", member.nodeId())
        .put("name", member.name()).put("metadata", member.metadata()).put("at", member.joinedAtMillis());
    DeliveryOptions options = options(targets).addHeader(EVENT, JOINED).addHeader(ROOM, room.value())
        .addHeader(MEMBER, encoded.encode());
    eventBus.send(address(node), Buffer.buffer(frame), options);
  }

  /** Tells {@code node} that {@code member} left the room and hands it the frame for its clients. */
  public void sendLeft(String node, List<ClientId> targets, RoomId room, ClientId member, String frame) {
    DeliveryOptions options = options(targets).addHeader(EVENT, LEFT).addHeader(ROOM, room.value())
        .addHeader(MEMBER, member.value());
    eventBus.send(address(node), Buffer.buffer(frame), options);
  }

  private static DeliveryOptions options(List<ClientId> targets) {
    List<String> ids = new ArrayList<>(targets.size());
    targets.forEach(id -> ids.add(id.value()));
    return new DeliveryOptions().addHeader(TO, String.join(",", ids));
  }

  private void receive(Message<Buffer> message, RoomViews views, BiConsumer<ClientId, String> deliver) {
    MultiMap headers = message.headers();
    try {
      applyRoomEvent(headers, views);
      String frame = message.body().toString();
      String to = headers.get(TO);
      if (to != null && !to.isEmpty()) {
        for (String id : to.split(",")) {
          deliver.accept(new ClientId(id), frame);
        }
      }
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("node", nodeId).setCause(e).log("inbox message dropped: malformed");
    }
  }

  private static void applyRoomEvent(MultiMap headers, RoomViews views) {
    String event = headers.get(EVENT);
    if (event == null) {
      return;
    }
    RoomId room = new RoomId(headers.get(ROOM));
    if (JOINED.equals(event)) {
      JsonObject m = new JsonObject(headers.get(MEMBER));
      views.remoteJoin(room, new Member(new ClientId(m.getString("id")), m.getString("node"),
          m.getString("name"), m.getJsonObject("metadata"), m.getLong("at", 0L)));
    } else if (LEFT.equals(event)) {
      views.left(room, new ClientId(headers.get(MEMBER)));
    }
  }
}
