package io.signalmesh.routing;

import static io.signalmesh.routing.LinkHeaders.ACK;
import static io.signalmesh.routing.LinkHeaders.COMMAND;
import static io.signalmesh.routing.LinkHeaders.DECLINED;
import static io.signalmesh.routing.LinkHeaders.EVENT;
import static io.signalmesh.routing.LinkHeaders.HANDOVER;
import static io.signalmesh.routing.LinkHeaders.JOINED;
import static io.signalmesh.routing.LinkHeaders.LEFT;
import static io.signalmesh.routing.LinkHeaders.MEMBER;
import static io.signalmesh.routing.LinkHeaders.NACK;
import static io.signalmesh.routing.LinkHeaders.NEW_NODE;
import static io.signalmesh.routing.LinkHeaders.REFUSED;
import static io.signalmesh.routing.LinkHeaders.ROOM;
import static io.signalmesh.routing.LinkHeaders.TO;

import io.signalmesh.presence.Member;
import io.signalmesh.protocol.EnvelopeParser;
import io.signalmesh.protocol.ServerMessages;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one event-bus consumer (never one per peer: every clustered consumer is a
 * cluster-wide registration, eclipse-vertx/vert.x#3797), and the way to reach other nodes'
 * inboxes. A message carries a ready client frame as a Buffer (its UTF-8 bytes, handed to the
 * clients as they are, never decoded on the way) and, in headers, whom it is for and any
 * room-view change that comes with it, so nothing is re-modelled on the way.
 *
 * <p>What it delivers it acknowledges right away (not only on the periodic ack), at most every
 * {@link #ACK_SPACING_NANOS}: a crash can then double only frames it catches between delivery and
 * that ack. Frames for clients are handed on only
 * while this node is sure it has not been declared dead (the {@code serving} gate of its
 * liveness): after a pause they wait until the next heartbeat says. If the node was declared
 * dead meanwhile it drops them unacknowledged (their senders parked them) and, once it rejoined,
 * answers to a new run, so that nothing meant for its earlier run is delivered later.
 */
public final class NodeInbox {

  public static final String ADDRESS_PREFIX = "signalmesh.node.";
  private static final Logger LOG = LoggerFactory.getLogger(NodeInbox.class);

  private static final long ACK_INTERVAL_MILLIS = 200;
  /**
   * Acknowledgements after deliveries are at least this far apart. Each is a message (and a
   * wake-up) on both nodes: one per event-loop turn was about one per two relays at 5,000
   * relays a second (docs/benchmarks.md). The price: a crash can double what was delivered in
   * the last few ms before it, not only what it catches between two writes (docs/reliability.md).
   */
  static final long ACK_SPACING_NANOS = 5_000_000L;

  private final Vertx vertx;
  private final EventBus eventBus;
  private final String nodeId;
  private final ParkedFrames parked;
  /** This run of the node: receivers tell a restart under the same id (numbering from 1 again) by it. */
  private final String run = java.util.UUID.randomUUID().toString().substring(0, 8);
  /** This node as a receiver: senders name it on their frames; a new one after the node was declared dead and rejoined. */
  private volatile String receiverRun = run;
  private final BooleanSupplier serving;
  private final Consumer<Runnable> whenServing;
  /** Messages for clients that came while the node was not sure it may serve; in arrival order. */
  private final List<Message<Buffer>> held = new ArrayList<>();
  private boolean acksScheduled;
  private volatile long lastAcksNanos = System.nanoTime() - ACK_SPACING_NANOS;
  private RoomViews views;
  private final ConcurrentHashMap<String, NodeLink> links = new ConcurrentHashMap<>();
  private final InboundStreams streams = new InboundStreams();
  private final GivenUpRoomEvents givenUpRoomEvents = new GivenUpRoomEvents();
  /** Nodes that do not number their streams by run (an older version): highest number received, and acked. */
  private final ConcurrentHashMap<String, long[]> received = new ConcurrentHashMap<>();
  private Recipients deliver = (client, frame) -> true;
  private final java.util.concurrent.atomic.AtomicLong givenUp = new java.util.concurrent.atomic.AtomicLong();
  private MessageConsumer<Buffer> consumer;
  private long ackTimer = -1;

  /** A node alone, or a test: always serving. */
  public NodeInbox(Vertx vertx, String nodeId, ParkedFrames parked) {
    this(vertx, nodeId, parked, () -> true, Runnable::run);
  }

  /**
   * @param serving whether the node is sure it still holds its place in the mesh (not paused past
   *     what its last heartbeat vouches for, not declared dead)
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
  public Future<Void> register(RoomViews views, Recipients deliver, Handover handover,
      Commands commands) {
    this.deliver = deliver;
    this.views = views;
    ackTimer = vertx.setPeriodic(ACK_INTERVAL_MILLIS, id -> {
      sendAcks();
      long now = System.nanoTime();
      long nowMillis = System.currentTimeMillis();
      links.values().forEach(link -> link.checkAcks(now, nowMillis));
      resendRoomEvents();
    });
    consumer = eventBus.consumer(address(nodeId), message -> {
      String ack = message.headers().get(ACK);
      String nack = message.headers().get(NACK);
      if (ack != null || nack != null) {
        NodeLink link = links.get(message.headers().get(LinkHeaders.FROM));
        List<Long> refused = numbers(message.headers().get(REFUSED));
        List<Long> declined = numbers(message.headers().get(DECLINED));
        String byRun = message.headers().get(LinkHeaders.BY_RUN);
        boolean takesBatches = "1".equals(message.headers().get(LinkHeaders.TAKES_BATCHES));
        if (link != null && ack != null) {
          link.ack(message.headers().get(LinkHeaders.RUN), byRun, takesBatches, Long.parseLong(ack), refused, declined);
        } else if (link != null) {
          link.nack(message.headers().get(LinkHeaders.RUN), byRun, takesBatches, Long.parseLong(nack), refused, declined);
        }
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

  /** Hands a frame from another node to a client of this node. */
  @FunctionalInterface
  public interface Recipients {
    /**
     * The frame as its UTF-8 bytes (valid UTF-8, shared by every client it is for: not to be
     * changed). False if the client could not take it (its resume queue is full, or it is not
     * here): its sender is told.
     */
    boolean deliver(ClientId client, byte[] frame);
  }

  /** Gives up a local session to the node it resumed on. */
  @FunctionalInterface
  public interface Handover {
    /** The frames kept for the client, or null if this node does not hold its session. */
    List<String> handOver(ClientId client, String newNode);
  }

  public Future<Void> unregister() {
    if (ackTimer >= 0) {
      vertx.cancelTimer(ackTimer);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * This node was declared dead: what waits to be handed on is dropped, and from now on it
   * answers to a new run, so that frames meant for the earlier one (sent before their senders
   * saw the death, and parked by them) are never delivered. What arrives until it rejoined waits.
   */
  public void dropHeld() {
    synchronized (held) {
      held.clear();
    }
    receiverRun = java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /** A node seen dead heartbeats again (restarted, or rejoined after a fence): frames go to it again. */
  public void nodeAlive(String node) {
    NodeLink link = links.get(node);
    if (link != null) {
      link.alive();
    }
  }

  /** Another node is known dead: frames not confirmed by it, and frames for it from now on, are parked. */
  public void nodeDied(String node) {
    NodeLink link = links.get(node);
    if (link != null) {
      link.breakLink("node stopped heartbeating");
    }
    givenUpRoomEvents.forget(node);
  }

  /**
   * Sends one frame to several clients held by {@code node}. The future fails if the message
   * could not be handed to that node (it is gone: no consumer, connection refused), so the
   * caller can keep the frame elsewhere instead of losing it silently.
   */
  public void send(String node, List<ClientId> targets, String frame) {
    sendUtf8(node, targets, utf8(frame));
  }

  /** {@link #send} for a frame given as its UTF-8 bytes (not to be changed afterwards). */
  public void sendUtf8(String node, List<ClientId> targets, byte[] frame) {
    link(node).send(targets, frame, options(targets), null);
  }

  /**
   * Relays a client's frame (its UTF-8 bytes, not to be changed afterwards) to a client held by
   * {@code node}. If that node lives but does not confirm it in time, the sender gets an
   * {@code unavailable} error naming the target.
   */
  public void relay(String node, ClientId sender, ClientId target, byte[] frame) {
    link(node).send(List.of(target), frame, options(List.of(target)), sender);
  }

  /** Tells {@code node} that {@code member} joined (it updates its view) and hands it the frame for its clients. */
  public void sendJoined(String node, List<ClientId> targets, RoomId room, Member member, String frame) {
    sendJoined(node, targets, room, member, utf8(frame));
  }

  private void sendJoined(String node, List<ClientId> targets, RoomId room, Member member, byte[] frame) {
    JsonObject encoded = new JsonObject()
        .put("id", member.clientId().value()).put("node", member.nodeId())
        .put("name", member.name()).put("metadata", member.metadata()).put("at", member.joinedAtMillis());
    DeliveryOptions options = options(targets).addHeader(EVENT, JOINED).addHeader(ROOM, room.value())
        .addHeader(MEMBER, encoded.encode());
    givenUpRoomEvents.superseded(node, room, member.clientId());
    link(node).send(targets, frame, options, null);
  }

  /** Tells {@code node} that {@code member} left the room and hands it the frame for its clients. */
  public void sendLeft(String node, List<ClientId> targets, RoomId room, ClientId member, String frame) {
    sendLeft(node, targets, room, member, utf8(frame));
  }

  private void sendLeft(String node, List<ClientId> targets, RoomId room, ClientId member, byte[] frame) {
    DeliveryOptions options = options(targets).addHeader(EVENT, LEFT).addHeader(ROOM, room.value())
        .addHeader(MEMBER, member.value());
    givenUpRoomEvents.superseded(node, room, member);
    link(node).send(targets, frame, options, null);
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
    return links.computeIfAbsent(node, n -> new NodeLink(n, nodeId, run, eventBus, parked,
        frames -> givenUp(n, frames), this::declined));
  }

  /** Frames sent to other nodes and not confirmed yet (for the metrics). */
  public int unconfirmed() {
    return links.values().stream().mapToInt(NodeLink::unconfirmed).sum();
  }

  /** Frames given up so far because a live node did not confirm them in time (for the metrics). */
  public long givenUp() {
    return givenUp.get();
  }

  /**
   * Frames a live node did not confirm in time: each relay's sender gets an error naming its
   * target; room events are kept to be sent again once the node confirms again.
   */
  private void givenUp(String node, List<NodeLink.Pending> frames) {
    givenUp.addAndGet(frames.size());
    java.util.Set<String> roomEvents = new java.util.TreeSet<>();
    for (NodeLink.Pending pending : frames) {
      if (pending.origin == null) {
        roomEvents.add(String.valueOf(EnvelopeParser.typeOf(pending.frame)));
        keepRoomEvent(node, pending);
        continue;
      }
      for (ClientId target : pending.targets) {
        deliver.deliver(pending.origin, utf8(ServerMessages.undelivered(target, EnvelopeParser.typeOf(pending.frame),
            NodeLink.GIVE_UP_AFTER_MILLIS / 1000)));
      }
    }
    if (!roomEvents.isEmpty()) {
      LOG.atWarn().addKeyValue("node", node).addKeyValue("types", roomEvents)
          .log("room events or broadcasts to a node that did not confirm them were given up; room events are sent again");
    }
  }

  private void keepRoomEvent(String node, NodeLink.Pending pending) {
    String event = pending.headers == null ? null : pending.headers.get(EVENT);
    if (event == null) {
      return;
    }
    RoomId room = new RoomId(pending.headers.get(ROOM));
    boolean joined = JOINED.equals(event);
    ClientId member = new ClientId(joined ? new JsonObject(pending.headers.get(MEMBER)).getString("id")
        : pending.headers.get(MEMBER));
    givenUpRoomEvents.givenUp(node, new GivenUpRoomEvents.Event(new GivenUpRoomEvents.Key(room, member), joined,
        pending.frame, pending.targets));
  }

  /**
   * Sends the room events given up for a node again once it has nothing unconfirmed (it confirms
   * again, or everything was given up: then this probes the path every give-up period), as far
   * as this node's view still agrees with them: a member that left since is not announced as
   * joined, one that came back is not announced as gone. Such an event was never delivered (the
   * receiver refuses what is older than it would have been given up), so none arrives twice.
   */
  private void resendRoomEvents() {
    for (String node : givenUpRoomEvents.nodes()) {
      NodeLink link = links.get(node);
      if (link == null || link.unconfirmed() > 0 || link.broken()) {
        continue;
      }
      List<GivenUpRoomEvents.Event> events = givenUpRoomEvents.take(node);
      LOG.atInfo().addKeyValue("node", node).addKeyValue("events", events.size())
          .log("sending given-up room events again");
      for (GivenUpRoomEvents.Event event : events) {
        Member now = views.member(event.key().room(), event.key().member());
        if (event.joined() && now != null) {
          sendJoined(node, event.targets(), event.key().room(), now, event.frame());
        } else if (!event.joined() && now == null) {
          sendLeft(node, event.targets(), event.key().room(), event.key().member(), event.frame());
        }
      }
    }
  }

  /**
   * A relay its target could not take (the target's resume queue here or on its node is full,
   * the frame could not be parked for it, or it is not there): its sender gets an error naming
   * the target, as when the target is on the sender's node.
   */
  private void declined(ClientId origin, ClientId target, byte[] frame) {
    LOG.atInfo().addKeyValue("clientId", origin).addKeyValue("targetId", target)
        .log("relay not taken by its target (resume queue full, or gone); its sender told");
    deliver.deliver(origin, utf8(ServerMessages.notTaken(target, EnvelopeParser.typeOf(frame))));
  }

  private static byte[] utf8(String frame) {
    return frame.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether a data message is to be delivered: in sequence and once per sending node and run;
   * a gap is reported to the sender at once so it sends the missing frames again.
   */
  private boolean inSequence(MultiMap headers) {
    String from = headers.get(LinkHeaders.FROM);
    String seq = headers.get(LinkHeaders.SEQ);
    String run = headers.get(LinkHeaders.RUN);
    if (from == null || seq == null) {
      return true;
    }
    if (run == null) {
      receivedUnnumbered(from, Long.parseLong(seq));
      return true;
    }
    long number = Long.parseLong(seq);
    long base = Long.parseLong(headers.get(LinkHeaders.BASE));
    long at = Long.parseLong(headers.get(LinkHeaders.AT));
    InboundStreams.Verdict verdict = streams.accept(from, run, number, base, at, System.currentTimeMillis());
    if (verdict == InboundStreams.Verdict.GAP) {
      InboundStreams.Receipt report = streams.gapReport(from, System.nanoTime());
      if (report != null) {
        eventBus.send(address(from), Buffer.buffer(), receipt(NACK, report.expected(), report));
      }
    } else if (verdict == InboundStreams.Verdict.REFUSED) {
      LOG.atDebug().addKeyValue("node", from).addKeyValue("seq", number)
          .addKeyValue("ageMillis", System.currentTimeMillis() - at).log("frame from node refused: too old");
    }
    return verdict == InboundStreams.Verdict.DELIVER;
  }

  private DeliveryOptions receipt(String kind, long number, InboundStreams.Receipt receipt) {
    DeliveryOptions options = new DeliveryOptions().addHeader(kind, Long.toString(number))
        .addHeader(LinkHeaders.FROM, nodeId).addHeader(LinkHeaders.RUN, receipt.run())
        .addHeader(LinkHeaders.BY_RUN, receiverRun).addHeader(LinkHeaders.TAKES_BATCHES, "1");
    if (!receipt.refused().isEmpty()) {
      options.addHeader(REFUSED, receipt.refused().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
    }
    if (!receipt.declined().isEmpty()) {
      options.addHeader(DECLINED, receipt.declined().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
    }
    return options;
  }

  private static List<Long> numbers(String list) {
    if (list == null || list.isEmpty()) {
      return List.of();
    }
    List<Long> numbers = new ArrayList<>();
    for (String number : list.split(",")) {
      numbers.add(Long.parseLong(number));
    }
    return numbers;
  }

  private void receivedUnnumbered(String from, long number) {
    long[] state = received.computeIfAbsent(from, f -> new long[] {0, 0});
    synchronized (state) {
      state[0] = Math.max(state[0], number);
    }
  }

  /** Cumulative acks, a few times a second: for each node, everything delivered from it. */
  private void sendAcks() {
    for (InboundStreams.Receipt receipt : streams.acks()) {
      eventBus.send(address(receipt.node()), Buffer.buffer(), receipt(ACK, receipt.expected() - 1, receipt));
    }
    received.forEach((from, state) -> {
      long highest;
      synchronized (state) {
        if (state[0] == state[1]) {
          return;
        }
        highest = state[0];
        state[1] = highest;
      }
      eventBus.send(address(from), Buffer.buffer(), new DeliveryOptions().addHeader(ACK, Long.toString(highest))
          .addHeader(LinkHeaders.FROM, nodeId));
    });
  }

  private static DeliveryOptions options(List<ClientId> targets) {
    List<String> ids = new ArrayList<>(targets.size());
    targets.forEach(id -> ids.add(id.value()));
    return new DeliveryOptions().addHeader(TO, String.join(",", ids));
  }

  /** A message for clients: held while the node may not serve, else judged by its stream. */
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
    handle(message);
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
    release.forEach(this::handle);
  }

  private void handle(Message<Buffer> message) {
    MultiMap headers = message.headers();
    if (headers.get(LinkHeaders.BATCH) == null) {
      handle(headers, message.body().getBytes());
      return;
    }
    List<LinkBatch.Frame> frames;
    try {
      frames = LinkBatch.decode(headers, message.body());
    } catch (RuntimeException e) {
      // not acknowledged: its sender sends the frames again, one message each
      LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("from", headers.get(LinkHeaders.FROM)).setCause(e)
          .log("batch from node dropped: malformed");
      return;
    }
    frames.forEach(frame -> handle(frame.headers(), frame.bytes()));
  }

  /** One frame for clients, alone in its message or one of a batch. */
  private void handle(MultiMap headers, byte[] frame) {
    try {
      String toRun = headers.get(LinkHeaders.TO_RUN);
      if (toRun != null && !toRun.equals(receiverRun)) {
        // meant for an earlier run of this node: not delivered, not acknowledged; its sender parks it
        return;
      }
      if (!inSequence(headers)) {
        return;
      }
      applyRoomEvent(headers, views);
      String to = headers.get(TO);
      boolean taken = true;
      if (to != null && !to.isEmpty()) {
        for (String id : to.split(",")) {
          taken &= deliver.deliver(new ClientId(id), frame);
        }
      }
      if (!taken && headers.get(LinkHeaders.RUN) != null) {
        // named in the acks: the sender tells the relay's sender (room events and broadcasts have none)
        streams.declined(headers.get(LinkHeaders.FROM), headers.get(LinkHeaders.RUN), Long.parseLong(headers.get(LinkHeaders.SEQ)));
      }
      scheduleAcks();
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("node", nodeId).setCause(e).log("inbox message dropped: malformed");
    }
  }

  /**
   * Acknowledges what was just delivered once this event-loop turn is done (all delivered in it,
   * in one ack per node), but not more often than every {@link #ACK_SPACING_NANOS}: while frames
   * keep coming, they are acknowledged in one message per node and spacing.
   */
  private void scheduleAcks() {
    synchronized (held) {
      if (acksScheduled) {
        return;
      }
      acksScheduled = true;
    }
    long wait = ACK_SPACING_NANOS - (System.nanoTime() - lastAcksNanos);
    if (wait <= 0) {
      vertx.runOnContext(v -> acksNow());
    } else {
      vertx.setTimer(Math.max(1, wait / 1_000_000), id -> acksNow());
    }
  }

  private void acksNow() {
    synchronized (held) {
      acksScheduled = false;
    }
    lastAcksNanos = System.nanoTime();
    sendAcks();
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
