package io.signalmesh.routing;

import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.util.concurrent.ConcurrentHashMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one event-bus consumer (never one per peer: every clustered consumer is a
 * cluster-wide registration, eclipse-vertx/vert.x#3797), and the way to reach other nodes'
 * inboxes. A message carries a ready client frame as a Buffer and, in headers, whom it is for
 * and any room-view change that comes with it, so nothing is re-modelled on the way.
 *
 * <p>Messages between nodes are numbered and acknowledged ({@link NodeLink}, {@link InboundLinks}).
 * Frames for clients are handed on only while this node is certain it has not been declared
 * dead (the {@code serving} gate of its liveness): after a pause they wait until the next
 * heartbeat says, and are dropped unacknowledged if the node was declared dead meanwhile, since
 * their senders parked them for the clients' resume.
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
  static final String COMMAND = "command";
  static final String NEW_NODE = "new-node";
  private static final Logger LOG = LoggerFactory.getLogger(NodeInbox.class);

  private static final long TICK_MILLIS = 200;
  static final String ACK = "ack";

  private final Vertx vertx;
  private final EventBus eventBus;
  private final String nodeId;
  /** This run of the node: a restarted node numbers its messages afresh, and receivers start over with it. */
  private final String incarnation = UUID.randomUUID().toString();
  private final ParkedFrames parked;
  private final BooleanSupplier serving;
  private final Consumer<Runnable> whenServing;
  private final ConcurrentHashMap<String, NodeLink> links = new ConcurrentHashMap<>();
  private final InboundLinks<Message<Buffer>> inbound = new InboundLinks<>();
  /** Messages for clients that came while the node was not sure it may serve; in arrival order. */
  private final List<Message<Buffer>> held = new ArrayList<>();
  private boolean acksScheduled;
  private RoomViews views;
  private BiConsumer<ClientId, String> deliver;
  private MessageConsumer<Buffer> consumer;
  private long tickTimer = -1;

  /** A node alone, or a test: always serving. */
  public NodeInbox(Vertx vertx, String nodeId, ParkedFrames parked) {
    this(vertx, nodeId, parked, () -> true, Runnable::run);
  }

  /**
   * @param serving whether the node is certain it still holds its place in the mesh (not paused
   *     past its liveness, not declared dead)
   * @param whenServing runs an action once it is again
   */
  public NodeInbox(Vertx vertx, String nodeId, ParkedFrames parked, BooleanSupplier serving,
      Consumer<Runnable> whenServing) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.nodeId = nodeId;
    this.parked = parked;
    this.serving = serving;
    this.whenServing = whenServing;
  }

  public static String address(String nodeId) {
    return ADDRESS_PREFIX + nodeId;
  }

  /**
   * Starts taking messages: {@code deliver} gets each addressed client id and the frame;
   * {@code handover} gives up a local session that resumed on another node and returns the
   * frames kept for it (null if this node does not hold it).
   */
  public Future<Void> register(RoomViews views, BiConsumer<ClientId, String> deliver, Handover handover,
      Commands commands) {
    this.views = views;
    this.deliver = deliver;
    tickTimer = vertx.setPeriodic(TICK_MILLIS, id -> {
      long now = System.nanoTime();
      inbound.expireGaps(now, this::handOn);
      sendAcks();
      links.values().forEach(link -> link.tick(now));
    });
    consumer = eventBus.consumer(address(nodeId), message -> {
      String ack = message.headers().get(ACK);
      if (ack != null) {
        acknowledged(message.headers(), ack);
        return;
      }
      String command = message.headers().get(COMMAND);
      if (command != null) {
        commands.run(command, new JsonObject(message.body()))
            .onSuccess(result -> message.reply(result.toBuffer()))
            .onFailure(e -> message.fail(500, String.valueOf(e.getMessage())));
        return;
      }
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
      receive(message);
    });
    return consumer.completion();
  }

  /**
   * Runs an operator command on {@code node} (this one included) and answers with its result;
   * how the admin API reaches sessions and rooms wherever they live.
   */
  public Future<JsonObject> command(String node, String command, JsonObject args, long timeoutMillis) {
    DeliveryOptions options = new DeliveryOptions().addHeader(COMMAND, command).setSendTimeout(timeoutMillis);
    return eventBus.<Buffer>request(address(node), args.toBuffer(), options).map(reply -> new JsonObject(reply.body()));
  }

  /** Operator commands this node runs for the admin API of any node. */
  @FunctionalInterface
  public interface Commands {
    Future<JsonObject> run(String command, JsonObject args);
  }

  /** Gives up a local session to the node it resumed on. */
  @FunctionalInterface
  public interface Handover {
    /** The frames kept for the client, or null if this node does not hold its session. */
    List<String> handOver(ClientId client, String newNode);
  }

  public Future<Void> unregister() {
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Another node was declared dead: frames it did not confirm, and frames for it from now on,
   * are parked; what it sent that waits behind a gap goes on.
   */
  public void nodeDied(String node) {
    link(node).declaredDead();
    inbound.senderDied(node, this::handOn);
  }

  /** A node declared dead is alive again (restarted, or rejoined): frames go to it again. */
  public void nodeAlive(String node) {
    NodeLink link = links.get(node);
    if (link != null) {
      link.alive();
    }
  }

  /** Frames sent to other nodes and not confirmed yet, all links together. */
  public int unconfirmed() {
    return links.values().stream().mapToInt(NodeLink::unconfirmed).sum();
  }

  /** Frames sent to {@code node} and not confirmed yet, and whether they are being parked instead of sent. */
  public String linkState(String node) {
    NodeLink link = links.get(node);
    return link == null ? "none" : (link.parking() ? "parking" : "open") + ", unconfirmed " + link.unconfirmed();
  }

  /**
   * This node was declared dead: what waits to be handed on, and all it knows of other nodes'
   * links, is dropped. What arrives until it rejoined waits and is then put through the links
   * afresh, which drop whatever was meant for the earlier run.
   */
  public void dropHeld() {
    synchronized (held) {
      held.clear();
    }
    inbound.forget();
  }

  /**
   * Sends one frame to several clients held by {@code node}. The future fails if the message
   * could not be handed to that node (it is gone: no consumer, connection refused), so the
   * caller can keep the frame elsewhere instead of losing it silently.
   */
  public void send(String node, List<ClientId> targets, String frame) {
    link(node).send(targets, frame, options(targets));
  }

  /** Tells {@code node} that {@code member} joined (it updates its view) and hands it the frame for its clients. */
  public void sendJoined(String node, List<ClientId> targets, RoomId room, Member member, String frame) {
    JsonObject encoded = new JsonObject()
        .put("id", member.clientId().value()).put("node", member.nodeId())
        .put("name", member.name()).put("metadata", member.metadata()).put("at", member.joinedAtMillis());
    DeliveryOptions options = options(targets).addHeader(EVENT, JOINED).addHeader(ROOM, room.value())
        .addHeader(MEMBER, encoded.encode());
    link(node).send(targets, frame, options);
  }

  /** Tells {@code node} that {@code member} left the room and hands it the frame for its clients. */
  public void sendLeft(String node, List<ClientId> targets, RoomId room, ClientId member, String frame) {
    DeliveryOptions options = options(targets).addHeader(EVENT, LEFT).addHeader(ROOM, room.value())
        .addHeader(MEMBER, member.value());
    link(node).send(targets, frame, options);
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

  private NodeLink link(String node) {
    return links.computeIfAbsent(node, n -> new NodeLink(n, nodeId, incarnation, eventBus, parked));
  }

  private void acknowledged(MultiMap headers, String ack) {
    NodeLink link = links.get(headers.get(NodeLink.FROM));
    String generation = headers.get(NodeLink.GENERATION);
    if (link != null && generation != null) {
      link.ack(headers.get(NodeLink.INCARNATION), Long.parseLong(generation), Long.parseLong(ack));
    }
  }

  /** Acknowledges what was handed on, to each sender, right away (the window in which a crash doubles a frame). */
  private void sendAcks() {
    for (InboundLinks.Ack ack : inbound.acksDue()) {
      eventBus.send(address(ack.node()), Buffer.buffer(), new DeliveryOptions().addHeader(ACK, Long.toString(ack.seq()))
          .addHeader(NodeLink.FROM, nodeId).addHeader(NodeLink.INCARNATION, ack.incarnation())
          .addHeader(NodeLink.GENERATION, Long.toString(ack.generation())));
    }
  }

  private void scheduleAcks() {
    synchronized (held) {
      if (acksScheduled) {
        return;
      }
      acksScheduled = true;
    }
    vertx.runOnContext(v -> {
      synchronized (held) {
        acksScheduled = false;
      }
      sendAcks();
    });
  }

  private static DeliveryOptions options(List<ClientId> targets) {
    List<String> ids = new ArrayList<>(targets.size());
    targets.forEach(id -> ids.add(id.value()));
    return new DeliveryOptions().addHeader(TO, String.join(",", ids));
  }

  /** A message for clients: held while the node may not serve, else put in its sender's order. */
  private void receive(Message<Buffer> message) {
    synchronized (held) {
      if (!held.isEmpty() || !serving.getAsBoolean()) {
        held.add(message);
        if (held.size() == 1) {
          whenServing.accept(this::releaseHeld);
        }
        return;
      }
    }
    sequence(message);
  }

  private void releaseHeld() {
    List<Message<Buffer>> release;
    synchronized (held) {
      release = List.copyOf(held);
      held.clear();
    }
    if (!release.isEmpty()) {
      LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("messages", release.size())
          .log("serving again: handing on what other nodes sent meanwhile");
    }
    release.forEach(this::sequence);
  }

  private void sequence(Message<Buffer> message) {
    MultiMap headers = message.headers();
    String from = headers.get(NodeLink.FROM);
    String seq = headers.get(NodeLink.SEQ);
    String generation = headers.get(NodeLink.GENERATION);
    if (from == null || seq == null || generation == null) {
      handOn(message);
      return;
    }
    try {
      inbound.accept(from, headers.get(NodeLink.INCARNATION), Long.parseLong(generation), Long.parseLong(seq), message,
          System.nanoTime(), this::handOn);
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("node", nodeId).setCause(e).log("inbox message dropped: malformed numbering");
      return;
    }
    scheduleAcks();
  }

  private void handOn(Message<Buffer> message) {
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
