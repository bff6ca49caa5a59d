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
  static final String HANDOVER = "handover";
  static final String NEW_NODE = "new-node";
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

  /**
   * Starts taking messages: {@code deliver} gets each addressed client id and the frame;
   * {@code handover} gives up a local session that resumed on another node and returns the
   * frames kept for it (null if this node does not hold it).
   */
  public Future<Void> register(RoomViews views, BiConsumer<ClientId, String> deliver, Handover handover) {
    consumer = eventBus.consumer(address(nodeId), message -> {
      String client = message.headers().get(HANDOVER);
      if (client != null) {
        List<String> frames = handover.handOver(new ClientId(client), message.headers().get(NEW_NODE));
        if (frames == null) {
          message.fail(404, "no session " + client + " on " + nodeId);
        } else {
          message.reply(new io.vertx.core.json.JsonArray(new ArrayList<>(frames)).toBuffer());
        }
        return;
      }
      receive(message, views, deliver);
    });
    return consumer.completion();
  }

  /** Gives up a local session to the node it resumed on. */
  @FunctionalInterface
  public interface Handover {
    /** The frames kept for the client, or null if this node does not hold its session. */
    List<String> handOver(ClientId client, String newNode);
  }

  public Future<Void> unregister() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Sends one frame to several clients held by {@code node}. The future fails if the message
   * could not be handed to that node (it is gone: no consumer, connection refused), so the
   * caller can keep the frame elsewhere instead of losing it silently.
   */
  public Future<Void> send(String node, List<ClientId> targets, String frame) {
    return write(node, Buffer.buffer(frame), options(targets));
  }

  /** Tells {@code node} that {@code member} joined (it updates its view) and hands it the frame for its clients. */
  public Future<Void> sendJoined(String node, List<ClientId> targets, RoomId room, Member member, String frame) {
    JsonObject encoded = new JsonObject()
        .put("id", member.clientId().value()).put("node", member.nodeId())
        .put("name", member.name()).put("metadata", member.metadata()).put("at", member.joinedAtMillis());
    DeliveryOptions options = options(targets).addHeader(EVENT, JOINED).addHeader(ROOM, room.value())
        .addHeader(MEMBER, encoded.encode());
    return write(node, Buffer.buffer(frame), options);
  }

  /** Tells {@code node} that {@code member} left the room and hands it the frame for its clients. */
  public Future<Void> sendLeft(String node, List<ClientId> targets, RoomId room, ClientId member, String frame) {
    DeliveryOptions options = options(targets).addHeader(EVENT, LEFT).addHeader(ROOM, room.value())
        .addHeader(MEMBER, member.value());
    return write(node, Buffer.buffer(frame), options);
  }

  /**
   * Asks {@code node} to hand over the session of {@code client}, which resumed here: it stops
   * serving it and answers with the frames it kept for it (a JSON array of strings).
   */
  public Future<List<String>> requestHandover(String node, ClientId client, String newNode, long timeoutMillis) {
    DeliveryOptions options = new DeliveryOptions().addHeader(HANDOVER, client.value()).addHeader(NEW_NODE, newNode)
        .setSendTimeout(timeoutMillis);
    return eventBus.<Buffer>request(address(node), Buffer.buffer(), options).map(reply -> {
      List<String> frames = new ArrayList<>();
      new io.vertx.core.json.JsonArray(reply.body()).forEach(frame -> frames.add((String) frame));
      return frames;
    });
  }

  private Future<Void> write(String node, Buffer body, DeliveryOptions options) {
    return eventBus.<Buffer>sender(address(node), options).write(body);
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
