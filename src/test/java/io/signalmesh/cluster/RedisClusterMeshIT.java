package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.NodeGroup;
import io.signalmesh.testsupport.RedisClusterServers;
import io.signalmesh.testsupport.RedisProcess;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.signalmesh.webhook.Receiver;
import io.signalmesh.webhook.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mesh of node processes on a real three-master Redis Cluster ({@code --redis
 * redis-cluster://...}): clients join, relay, leave, resume and are reaped in rooms whose keys
 * live on every master, and the nodes re-assert presence the cluster lost. Webhooks are on
 * throughout, to a real receiver: the nodes deliver their events from one outbox stream.
 */
@Timeout(120)
class RedisClusterMeshIT {

  /** Resume grace of the mesh: short, so that the reaping test is quick. */
  private static final int GRACE_SECONDS = 3;
  /** Liveness TTL 5 s + a reaper check 1 s + the grace + reaping (docs/cluster.md). */
  private static final Duration REAP_BOUND = Duration.ofSeconds(5 + 1 + GRACE_SECONDS + 5);
  private static final String WEBHOOK_SECRET = "a-webhook-secret-for-the-cluster";
  /** Delivery within a second when all is well; events a killed node held wait 5 s + a retry delay. */
  private static final Duration WEBHOOK_ARRIVAL = Duration.ofSeconds(15);

  @AutoClose
  private static RedisClusterServers redis;
  @AutoClose
  private static WebhookReceiver receiver;
  @AutoClose
  private static NodeGroup mesh;

  @BeforeAll
  static void start() {
    redis = RedisClusterServers.start(3);
    receiver = new WebhookReceiver(WEBHOOK_SECRET).start();
    // nodes 1 and 2 serve the tests; node 3 is the one killed
    mesh = NodeGroup.start("rcluster", 3, redis.url(), "--resume-grace", Integer.toString(GRACE_SECONDS),
        "--webhook-url", receiver.url(), "--webhook-secret", WEBHOOK_SECRET);
  }

  /** Room ids whose member hashes land on every master (asserted with CLUSTER KEYSLOT / NODES). */
  private static List<String> roomsOnEveryMaster(String prefix) {
    List<String> rooms = new ArrayList<>();
    Set<RedisProcess> owners = new HashSet<>();
    for (int i = 0; owners.size() < redis.masters().size() || rooms.size() < 6; i++) {
      String room = prefix + i;
      rooms.add(room);
      owners.add(redis.ownerOf(membersKey(room)));
    }
    return rooms;
  }

  private static String membersKey(String room) {
    return "signalmesh:room:{" + room + "}:members";
  }

  @Test
  void clientsOnTwoNodesJoinRelayAndLeaveRoomsOnEveryRedisMaster() {
    List<String> rooms = roomsOnEveryMaster("rc-talk-");
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      for (String room : rooms) {
        ada.join(room, "Ada");
        JsonObject reply = bob.join(room, "Bob");
        assertThat(reply.getJsonArray("participants").getList()).as(room).containsExactly(ada.id());
        assertThat(ada.expect("participant-joined").getString("roomId")).isEqualTo(room);
        ada.relay("offer", bob.id(), new JsonObject().put("sdp", "offer in " + room));
        assertThat(bob.expect("offer").getString("sdp")).isEqualTo("offer in " + room);
      }
      assertThat(adminRooms("rc-talk-")).containsExactlyInAnyOrderElementsOf(
          rooms.stream().map(room -> new JsonObject().put("roomId", room).put("participants", 2)).toList());

      for (String room : rooms) {
        bob.send(new JsonObject().put("type", "leave-room").put("roomId", room));
        JsonObject left = ada.expect("participant-left");
        assertThat(left.getString("participantId")).isEqualTo(bob.id());
        assertThat(left.getString("roomId")).isEqualTo(room);
      }
      bob.sync();
      assertThat(adminRooms("rc-talk-")).containsExactlyInAnyOrderElementsOf(
          rooms.stream().map(room -> new JsonObject().put("roomId", room).put("participants", 1)).toList());
    }
  }

  @Test
  void aKilledNodesClientResumesElsewhereAndItsOtherClientsAreReapedFromRoomsOnEveryMaster() {
    List<String> rooms = roomsOnEveryMaster("rc-fail-");
    try (TestClient peer = mesh.node(0).connect(); TestClient mover = mesh.node(2).connect();
        TestClient doomed = mesh.node(2).connect()) {
      for (String room : rooms) {
        peer.join(room);
        mover.join(room);
        doomed.join(room);
      }
      mesh.node(2).kill();

      try (TestClient resumed = mesh.node(0).resume(mover.sessionToken())) {
        assertThat(resumed.connected().getBoolean("resumed")).isTrue();
        assertThat(resumed.id()).isEqualTo(mover.id());
        Set<String> reapedFrom = new HashSet<>();
        for (int i = 0; i < rooms.size(); i++) {
          JsonObject left = peer.expectWithin("participant-left", REAP_BOUND);
          assertThat(left.getString("participantId")).isEqualTo(doomed.id());
          assertThat(left.getString("reason")).isEqualTo("node-failure");
          reapedFrom.add(left.getString("roomId"));
        }
        assertThat(reapedFrom).containsExactlyInAnyOrderElementsOf(rooms);
        peer.relay("offer", resumed.id(), new JsonObject().put("sdp", "still here"));
        assertThat(resumed.expect("offer").getString("sdp")).isEqualTo("still here");
        for (String room : rooms) {
          assertThat(redis.command("HGET", membersKey(room), mover.id()))
              .contains("\"node\":\"" + mesh.node(0).nodeId() + "\"");
          assertThat(redis.command("HEXISTS", membersKey(room), doomed.id())).isEqualTo("0");
        }
      }
    }
  }

  @Test
  void afterEveryMasterLostItsDataTheNodesReassertTheirMemberships() {
    List<String> rooms = roomsOnEveryMaster("rc-lost-");
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      for (String room : rooms) {
        ada.join(room, "Ada");
        bob.join(room, "Bob");
      }
      redis.flushAll();

      Wait.until("every membership back in the cluster", Duration.ofSeconds(10), () -> rooms.stream().allMatch(room ->
          "1".equals(redis.command("HEXISTS", membersKey(room), ada.id()))
              && "1".equals(redis.command("HEXISTS", membersKey(room), bob.id()))));
      assertThat(adminRooms("rc-lost-")).containsExactlyInAnyOrderElementsOf(
          rooms.stream().map(room -> new JsonObject().put("roomId", room).put("participants", 2)).toList());
      try (TestClient cyd = mesh.node(1).connect()) {
        JsonObject reply = cyd.join(rooms.get(0));
        assertThat(reply.getJsonArray("participants").getList()).containsExactlyInAnyOrder(ada.id(), bob.id());
      }
    }
  }

  /**
   * On a cluster a script may only touch one slot, so the events follow each presence script
   * into the receiver's stream, which lives on one master while the rooms live on all three.
   */
  @Test
  void webhooksReportEachRoomOnEveryMasterStartedJoinedLeftAndFinishedOnceEach() {
    List<String> rooms = roomsOnEveryMaster("rc-hook-");
    String stream = Receiver.of(List.of(receiver.url())).get(0).streamKey();
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect()) {
      for (String room : rooms) {
        ada.join(room, "Ada");
        bob.join(room, "Bob");
        ada.expect("participant-joined", m -> room.equals(m.getString("roomId")));
      }
      for (String room : rooms) {
        bob.send(new JsonObject().put("type", "leave-room").put("roomId", room));
        ada.expect("participant-left", m -> room.equals(m.getString("roomId")));
        ada.send(new JsonObject().put("type", "leave-room").put("roomId", room));
      }
      ada.sync();
      bob.sync();

      Wait.until("the events of " + rooms.size() + " rooms", WEBHOOK_ARRIVAL,
          () -> webhookEvents("rc-hook-").size() >= 6 * rooms.size());
      Wait.until("the outbox stream to be delivered and empty", WEBHOOK_ARRIVAL,
          () -> "0".equals(redis.command("XLEN", stream)));
      List<JsonObject> events = webhookEvents("rc-hook-");
      for (String room : rooms) {
        assertThat(events).filteredOn(e -> room.equals(e.getString("roomId")))
            .extracting(e -> e.getString("type") + " " + e.getString("participantId", "") + " " + e.getString("node", ""))
            .as(room).containsExactlyInAnyOrder("room-started  ", "room-finished  ",
                "participant-joined " + ada.id() + " " + mesh.node(0).nodeId(),
                "participant-joined " + bob.id() + " " + mesh.node(1).nodeId(),
                "participant-left " + bob.id() + " " + mesh.node(1).nodeId(),
                "participant-left " + ada.id() + " " + mesh.node(0).nodeId());
      }
      assertThat(receiver.deliveries()).filteredOn(d -> d.event().getString("roomId").startsWith("rc-hook-"))
          .as("POSTs, each event once").hasSize(events.size())
          .allMatch(WebhookReceiver.Delivery::signatureValid);
    }
  }

  /** The events the receiver accepted for rooms with the given prefix, each once. */
  private static List<JsonObject> webhookEvents(String prefix) {
    return receiver.events().stream().filter(e -> e.getString("roomId").startsWith(prefix)).toList();
  }

  /** The rooms /admin/rooms lists with the given prefix, as {roomId, participants}. */
  private static List<JsonObject> adminRooms(String prefix) {
    NodeGroup.Reply reply = mesh.get(0, "/admin/rooms?limit=500");
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonArray rooms = new JsonObject(reply.body()).getJsonArray("rooms");
    List<JsonObject> listed = new ArrayList<>();
    for (int i = 0; i < rooms.size(); i++) {
      JsonObject room = rooms.getJsonObject(i);
      if (room.getString("roomId").startsWith(prefix)) {
        listed.add(new JsonObject().put("roomId", room.getString("roomId")).put("participants", room.getInteger("participants")));
      }
    }
    return listed;
  }
}
