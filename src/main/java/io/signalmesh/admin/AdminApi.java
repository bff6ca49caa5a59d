package io.signalmesh.admin;

import io.signalmesh.presence.Member;
import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.presence.PresenceUnavailableException;
import io.signalmesh.routing.NodeInbox;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admin REST API on the management port (docs/admin-openapi.yaml). Rooms and members come
 * from the presence store; what only the owning node knows (is a session connected or waiting
 * for a resume) and what only it can do (close, kick, drain) goes to that node's inbox. So any
 * node answers for the whole mesh.
 */
public final class AdminApi {

  private static final long COMMAND_TIMEOUT_MILLIS = 3000;
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 1000;

  private final String nodeId;
  private final PresenceStore presence;
  private final NodeDirectory directory;
  private final NodeInbox inbox;
  private final AdminAuth auth;
  private final String openApi;

  public AdminApi(String nodeId, PresenceStore presence, NodeDirectory directory, NodeInbox inbox, AdminAuth auth) {
    this.nodeId = nodeId;
    this.presence = presence;
    this.directory = directory;
    this.inbox = inbox;
    this.auth = auth;
    this.openApi = resource("admin/admin-openapi.yaml");
  }

  public void mount(Router router) {
    // the page holds no secret (it asks for the key); the API behind it does
    router.get("/").handler(ctx -> ctx.redirect("/ui/"));
    router.route("/ui/*").handler(StaticHandler.create("web/admin"));
    router.route("/admin/*").handler(auth);
    router.get("/admin/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/yaml").end(openApi));
    router.get("/admin/rooms").handler(this::listRooms);
    router.get("/admin/rooms/:roomId").handler(this::getRoom);
    router.delete("/admin/rooms/:roomId").handler(this::closeRoom);
    router.delete("/admin/rooms/:roomId/participants/:clientId").handler(this::kick);
    router.get("/admin/nodes").handler(this::listNodes);
    router.post("/admin/nodes/:nodeId/drain").handler(this::drain);
  }

  private void listRooms(RoutingContext ctx) {
    int limit;
    try {
      limit = ctx.queryParams().contains("limit") ? Integer.parseInt(ctx.queryParams().get("limit")) : DEFAULT_PAGE;
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_PAGE) {
      error(ctx, 400, "bad-request", "limit must be 1-" + MAX_PAGE);
      return;
    }
    String after = ctx.queryParams().get("after");
    int pageSize = limit;
    presence.rooms(after, pageSize)
        .compose(rooms -> {
          List<Future<List<Member>>> lookups = new ArrayList<>();
          rooms.forEach(room -> lookups.add(presence.members(room)));
          return Future.all(lookups).map(done -> {
            JsonArray items = new JsonArray();
            for (int i = 0; i < rooms.size(); i++) {
              List<Member> members = lookups.get(i).result();
              if (members.isEmpty()) {
                continue;
              }
              Set<String> nodes = new TreeSet<>();
              members.forEach(m -> nodes.add(m.nodeId()));
              items.add(new JsonObject().put("roomId", rooms.get(i).value()).put("participants", members.size())
                  .put("nodes", new JsonArray(new ArrayList<>(nodes))));
            }
            JsonObject page = new JsonObject().put("rooms", items);
            if (rooms.size() == pageSize) {
              page.put("next", rooms.get(rooms.size() - 1).value());
            }
            return page;
          });
        })
        .onSuccess(page -> json(ctx, 200, page))
        .onFailure(e -> failed(ctx, e));
  }

  private void getRoom(RoutingContext ctx) {
    withRoom(ctx, (room, members) -> {
      Map<String, List<Member>> byNode = byNode(members);
      List<Future<JsonObject>> states = new ArrayList<>();
      for (List<Member> held : byNode.values()) {
        JsonArray ids = new JsonArray();
        held.forEach(m -> ids.add(m.clientId().value()));
        states.add(inbox.command(held.get(0).nodeId(), NodeCommands.SESSIONS, new JsonObject().put("clients", ids),
            COMMAND_TIMEOUT_MILLIS));
      }
      return Future.join(states).transform(done -> {
        JsonObject known = new JsonObject();
        for (Future<JsonObject> state : states) {
          if (state.succeeded()) {
            known.mergeIn(state.result().getJsonObject("states", new JsonObject()));
          }
        }
        JsonArray participants = new JsonArray();
        for (Member m : members) {
          participants.add(new JsonObject().put("id", m.clientId().value()).put("name", m.name())
              .put("node", m.nodeId()).put("joinedAt", Instant.ofEpochMilli(m.joinedAtMillis()).toString())
              .put("state", known.getString(m.clientId().value(), "unknown")));
        }
        return Future.succeededFuture(new JsonObject().put("roomId", room.value()).put("participants", participants));
      });
    });
  }

  private void closeRoom(RoutingContext ctx) {
    withRoom(ctx, (room, members) -> {
      List<Future<JsonObject>> closed = new ArrayList<>();
      for (String node : byNode(members).keySet()) {
        closed.add(inbox.command(node, NodeCommands.CLOSE_ROOM, new JsonObject().put("room", room.value()),
            COMMAND_TIMEOUT_MILLIS));
      }
      return Future.all(closed).map(done -> {
        int removed = closed.stream().mapToInt(f -> f.result().getInteger("removed", 0)).sum();
        return new JsonObject().put("roomId", room.value()).put("closed", true).put("removed", removed);
      });
    });
  }

  /** Answers for a room that has members (400 for a bad id, 404 for an empty room) with what {@code answer} makes of them. */
  private void withRoom(RoutingContext ctx, java.util.function.BiFunction<RoomId, List<Member>, Future<JsonObject>> answer) {
    RoomId room = roomId(ctx);
    if (room == null) {
      return;
    }
    presence.members(room)
        .compose(members -> members.isEmpty() ? Future.<JsonObject>succeededFuture(null) : answer.apply(room, members))
        .onSuccess(body -> {
          if (body == null) {
            error(ctx, 404, "not-found", "no room " + room);
          } else {
            json(ctx, 200, body);
          }
        })
        .onFailure(e -> failed(ctx, e));
  }

  private void kick(RoutingContext ctx) {
    RoomId room = roomId(ctx);
    if (room == null) {
      return;
    }
    ClientId client = new ClientId(ctx.pathParam("clientId"));
    presence.members(room).compose(members -> {
      Member member = members.stream().filter(m -> m.clientId().equals(client)).findFirst().orElse(null);
      if (member == null) {
        return Future.succeededFuture(false);
      }
      return inbox.command(member.nodeId(), NodeCommands.KICK,
          new JsonObject().put("room", room.value()).put("client", client.value()), COMMAND_TIMEOUT_MILLIS)
          .map(result -> result.getBoolean("kicked", false));
    }).onSuccess(kicked -> {
      if (kicked) {
        json(ctx, 200, new JsonObject().put("roomId", room.value()).put("kicked", client.value()));
      } else {
        error(ctx, 404, "not-found", "no participant " + client + " in room " + room);
      }
    }).onFailure(e -> failed(ctx, e));
  }

  private void listNodes(RoutingContext ctx) {
    directory.knownNodes().otherwise(List.of()).compose(known -> {
      Set<String> nodes = new LinkedHashSet<>();
      nodes.add(nodeId);
      nodes.addAll(new TreeSet<>(known));
      List<String> ids = new ArrayList<>(nodes);
      List<Future<JsonObject>> infos = new ArrayList<>();
      ids.forEach(id -> infos.add(inbox.command(id, NodeCommands.INFO, new JsonObject(), COMMAND_TIMEOUT_MILLIS)));
      return Future.join(infos).transform(done -> {
        JsonArray items = new JsonArray();
        for (int i = 0; i < ids.size(); i++) {
          items.add(infos.get(i).succeeded() ? infos.get(i).result().put("reachable", true)
              : new JsonObject().put("id", ids.get(i)).put("reachable", false));
        }
        return Future.succeededFuture(new JsonObject().put("nodes", items));
      });
    }).onSuccess(body -> json(ctx, 200, body)).onFailure(e -> failed(ctx, e));
  }

  private void drain(RoutingContext ctx) {
    String node = ctx.pathParam("nodeId");
    inbox.command(node, NodeCommands.DRAIN, new JsonObject(), COMMAND_TIMEOUT_MILLIS)
        .onSuccess(result -> json(ctx, 202, result))
        .onFailure(e -> error(ctx, 404, "not-found", "node " + node + " did not answer"));
  }

  private static Map<String, List<Member>> byNode(List<Member> members) {
    Map<String, List<Member>> byNode = new LinkedHashMap<>();
    members.forEach(m -> byNode.computeIfAbsent(m.nodeId(), n -> new ArrayList<>()).add(m));
    return byNode;
  }

  private static RoomId roomId(RoutingContext ctx) {
    String id = ctx.pathParam("roomId");
    if (!RoomId.isValid(id)) {
      error(ctx, 400, "bad-request", "room ids are 1-128 characters of [A-Za-z0-9_.:-]");
      return null;
    }
    return new RoomId(id);
  }

  private static void failed(RoutingContext ctx, Throwable e) {
    if (e instanceof PresenceUnavailableException) {
      error(ctx, 503, "unavailable", "presence store unavailable, try again");
    } else {
      error(ctx, 500, "internal", "internal error");
    }
  }

  private static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  private static String resource(String name) {
    try (InputStream in = AdminApi.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
