package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.NodeGroup;
import io.signalmesh.testsupport.RedisClusterServers;
import io.signalmesh.testsupport.RedisProcess;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mesh of node processes on a real three-master Redis Cluster ({@code --redis
 * redis-cluster://...}): clients join, relay, leave, resume and are reaped in rooms whose keys
 * live on every master, and the nodes re-assert presence the cluster lost.
 */
@Timeout(120)
class RedisClusterMeshIT {

  /** Resume grace of the mesh: short, so that the reaping test is quick. */
  private static final int GRACE_SECONDS = 3;
  /** Liveness TTL 5 s + a reaper check 1 s + the grace + reaping (docs/cluster.md). */
  private static final Duration REAP_BOUND = Duration.ofSeconds(5 + 1 + GRACE_SECONDS + 5);

  private static RedisClusterServers redis;
  private static NodeGroup mesh;

  @BeforeAll
  static void start() {
    redis = RedisClusterServers.start(3);
    // nodes 1 and 2 serve the tests; node 3 is the one killed
    mesh = NodeGroup.start("rcluster", 3, redis.url(), "--resume-grace", Integer.toString(GRACE_SECONDS));
  }

  @AfterAll
  static void stop() {
    if (mesh != null) {
      mesh.close();
    }
    if (redis != null) {
      redis.close();
    }
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
