package io.signalmesh.admin;

import io.signalmesh.protocol.LeaveReason;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.routing.NodeInbox;
import io.signalmesh.routing.RoomViews;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import io.signalmesh.signaling.RoomMembership;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the admin API asks of the node that holds a session: its own facts, the state of its
 * sessions, closing a room for them, kicking one, draining. Any node's admin API reaches these
 * through the node inbox, so every node gives the same answers.
 */
public final class NodeCommands implements NodeInbox.Commands {

  public static final String INFO = "info";
  public static final String SESSIONS = "sessions";
  public static final String CLOSE_ROOM = "close-room";
  public static final String KICK = "kick";
  public static final String DRAIN = "drain";

  private final String nodeId;
  private final Supplier<String> address;
  private final long startedAtMillis = System.currentTimeMillis();
  private final SessionRegistry sessions;
  private final RoomViews views;
  private final RoomMembership membership;
  private final BooleanSupplier draining;
  private final Supplier<Boolean> drain;
  private final Supplier<JsonObject> meshFacts;

  /**
   * @param meshFacts the node's standing in the mesh, added to its info: {@code clusterMembers}
   *     (the Hazelcast members it sees) and {@code unconfirmedFrames} (sent to other nodes, not yet
   *     confirmed: what would wait on a departed node)
   */
  public NodeCommands(String nodeId, Supplier<String> address, SessionRegistry sessions, RoomViews views,
      RoomMembership membership, BooleanSupplier draining, Supplier<Boolean> drain, Supplier<JsonObject> meshFacts) {
    this.meshFacts = meshFacts;
    this.nodeId = nodeId;
    this.address = address;
    this.sessions = sessions;
    this.views = views;
    this.membership = membership;
    this.draining = draining;
    this.drain = drain;
  }

  @Override
  public Future<JsonObject> run(String command, JsonObject args) {
    return switch (command) {
      case INFO -> Future.succeededFuture(info());
      case SESSIONS -> Future.succeededFuture(states(args.getJsonArray("clients", new JsonArray())));
      case CLOSE_ROOM -> closeRoom(new RoomId(args.getString("room")));
      case KICK -> kick(new RoomId(args.getString("room")), new ClientId(args.getString("client")));
      case DRAIN -> Future.succeededFuture(new JsonObject().put("node", nodeId).put("draining", true)
          .put("started", drain.get()));
      default -> Future.failedFuture("unknown command " + command);
    };
  }

  private JsonObject info() {
    long connected = sessions.all().stream().filter(s -> s.connection() != null).count();
    return new JsonObject()
        .put("id", nodeId)
        .put("address", address.get())
        .put("connections", connected)
        .put("sessions", sessions.size())
        .put("rooms", views.size())
        .put("uptimeSeconds", (System.currentTimeMillis() - startedAtMillis) / 1000)
        .put("version", version())
        .put("draining", draining.getAsBoolean())
        .mergeIn(meshFacts.get());
  }

  private JsonObject states(JsonArray clients) {
    JsonObject states = new JsonObject();
    for (Object id : clients) {
      Session session = sessions.get(new ClientId((String) id));
      if (session != null) {
        states.put((String) id, session.state() == Session.State.CONNECTED ? "connected" : "resuming");
      }
    }
    return new JsonObject().put("states", states);
  }

  private Future<JsonObject> closeRoom(RoomId room) {
    List<Future<Void>> closed = new ArrayList<>();
    for (Session session : sessions.all()) {
      if (session.rooms().contains(room)) {
        closed.add(session.serially(() -> membership.closeFor(session, room, "admin")));
      }
    }
    return Future.join(closed).map(done -> new JsonObject().put("removed", closed.size()));
  }

  private Future<JsonObject> kick(RoomId room, ClientId client) {
    Session session = sessions.get(client);
    if (session == null || !session.rooms().contains(room)) {
      return Future.succeededFuture(new JsonObject().put("kicked", false));
    }
    return session.serially(() -> membership.leave(session, room, LeaveReason.KICKED))
        .map(done -> {
          session.deliver(ServerMessages.roomClosed(room, "kicked"));
          return new JsonObject().put("kicked", true);
        });
  }

  static String version() {
    String version = NodeCommands.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
