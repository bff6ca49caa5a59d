package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.signalmesh.testsupport.netns.NamespacedMesh;
import io.signalmesh.testsupport.netns.NamespacedNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Network partition (docs/reliability.md): three nodes, each in its own network namespace,
 * Redis in a fourth, nginx in front. One node's link to the back network (cluster and Redis)
 * goes down while its clients can still reach it through the load balancer.
 */
@Timeout(150)
class NetworkPartitionIT {

  private static final int GRACE_SECONDS = 10;
  private static final String ROOM = "partition-call";
  /** Documented: the node gives its clients up about 7 s after it lost the others (heartbeat TTL 5 s + 2 s). */
  private static final Duration GIVE_UP_BOUND = Duration.ofSeconds(15);
  /** Documented: back in the cluster and ready once the grace of what it gave up has passed and Hazelcast merged. */
  private static final Duration REJOIN_BOUND = Duration.ofSeconds(GRACE_SECONDS + 25);

  @AutoClose
  private NamespacedMesh mesh;
  private final List<TestClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(TestClient::close);
  }

  @Test
  void aNodeCutOffFromTheClusterSendsItsClientsToTheMajorityAndRejoinsCleanlyWhenHealed() {
    mesh = NamespacedMesh.start("part", 3, "--resume-grace", Integer.toString(GRACE_SECONDS));
    NamespacedNode cut = mesh.node(0);
    NamespacedNode majority = mesh.node(1);
    for (int i = 0; i < 6; i++) {
      TestClient client = track(mesh.balancer().connect());
      client.join(ROOM);
    }
    for (int i = 0; i < clients.size(); i++) {
      for (TestClient later : clients.subList(i + 1, clients.size())) {
        clients.get(i).expect("participant-joined", m -> later.id().equals(m.getString("participantId")));
      }
    }
    Map<String, String> nodeOf = nodesOf(majority.admin("/admin/rooms/" + ROOM));
    List<TestClient> cutOff = clients.stream().filter(c -> cut.nodeId().equals(nodeOf.get(c.id()))).toList();
    List<TestClient> others = clients.stream().filter(c -> !cutOff.contains(c)).toList();
    assertThat(cutOff).as("round robin put clients on the node to be cut off").isNotEmpty();
    TestClient sender = others.get(0);

    long cutAt = System.nanoTime();
    mesh.network().cutBackLink(cut.host());

    // messages for the cut-off clients, sent during the partition, reach them after they move
    for (TestClient target : cutOff) {
      for (int seq = 1; seq <= 3; seq++) {
        sender.relay("ice-candidate", target.id(), new JsonObject().put("seq", seq));
      }
    }
    Wait.until("the cut-off node to report itself not ready", GIVE_UP_BOUND, () -> !cut.readiness().ready());
    Duration notReadyAfter = Duration.ofNanos(System.nanoTime() - cutAt);
    JsonObject firstReconnect = cutOff.get(0).expectWithin("reconnect", GIVE_UP_BOUND);
    Duration givenUpAfter = Duration.ofNanos(System.nanoTime() - cutAt);
    List<TestClient> resumed = new ArrayList<>();
    for (TestClient target : cutOff) {
      JsonObject reconnect = target == cutOff.get(0) ? firstReconnect : target.expectWithin("reconnect", GIVE_UP_BOUND);
      assertThat(reconnect.getString("reason")).isEqualTo("cut-off");
      assertThat(target.awaitClose()).as("close code").isEqualTo(1012);
      TestClient again = track(mesh.balancer().resume(target.sessionToken()));
      assertThat(again.connected().getBoolean("resumed")).as("resumed").isTrue();
      assertThat(again.id()).isEqualTo(target.id());
      resumed.add(again);
    }
    Duration movedAfter = Duration.ofNanos(System.nanoTime() - cutAt);
    Map<String, String> afterMove = nodesOf(majority.admin("/admin/rooms/" + ROOM));
    for (TestClient client : resumed) {
      assertThat(afterMove.get(client.id())).as("node of a resumed client").isNotEqualTo(cut.nodeId());
      for (int seq = 1; seq <= 3; seq++) {
        assertThat(client.expect("ice-candidate").getInteger("seq")).as("message sent during the partition").isEqualTo(seq);
      }
      client.relay("answer", sender.id(), new JsonObject().put("from", client.id()));
      assertThat(sender.expect("answer", m -> client.id().equals(m.getString("senderId"))).getString("from"))
          .isEqualTo(client.id());
    }

    long healAt = System.nanoTime();
    mesh.network().restoreBackLink(cut.host());
    Wait.until("the healed node to be ready again", REJOIN_BOUND, () -> cut.readiness().ready());
    Duration readyAfterHeal = Duration.ofNanos(System.nanoTime() - healAt);
    Wait.until("every node to reach the healed one over the event bus", Duration.ofSeconds(20), () ->
        mesh.nodes().stream().allMatch(n -> reachable(n.admin("/admin/nodes")).containsAll(
            mesh.nodes().stream().map(NamespacedNode::nodeId).toList())));

    // no duplicate or stale registrations: Redis, the admin answer and the clients agree
    Set<String> everyone = clients.stream().filter(c -> !cutOff.contains(c)).map(TestClient::id)
        .collect(Collectors.toSet());
    resumed.forEach(c -> everyone.add(c.id()));
    Map<String, String> stored = storedMembers();
    assertThat(stored.keySet()).as("members in Redis").containsExactlyInAnyOrderElementsOf(everyone);
    assertThat(stored.values()).as("nodes named in Redis").doesNotContain(cut.nodeId());
    JsonObject detail = cut.admin("/admin/rooms/" + ROOM);
    assertThat(nodesOf(detail)).as("admin answer").isEqualTo(stored);
    assertThat(detail.getJsonArray("participants")).allSatisfy(p ->
        assertThat(((JsonObject) p).getString("state")).as("state of " + p).isEqualTo("connected"));
    assertThat(mesh.redis().strings("SMEMBERS", "signalmesh:node:{" + cut.nodeId() + "}:memberships"))
        .as("memberships still held for the healed node").isEmpty();

    // relays between all nodes work again: a newcomer on the healed node sees exactly the room
    try (TestClient newcomer = cut.connect()) {
      JsonObject participants = newcomer.join(ROOM);
      assertThat(participants.getJsonArray("participants").getList()).as("no ghosts")
          .containsExactlyInAnyOrderElementsOf(everyone);
      List<TestClient> live = new ArrayList<>(others);
      live.addAll(resumed);
      for (TestClient peer : live) {
        peer.expect("participant-joined", m -> newcomer.id().equals(m.getString("participantId")));
        newcomer.relay("offer", peer.id(), new JsonObject().put("sdp", "hello " + peer.id()));
        assertThat(peer.expect("offer", m -> newcomer.id().equals(m.getString("senderId"))).getString("sdp"))
            .isEqualTo("hello " + peer.id());
        peer.relay("answer", newcomer.id(), new JsonObject().put("sdp", "hi"));
        newcomer.expect("answer", m -> peer.id().equals(m.getString("senderId")));
      }
      // a client that moved can still resume later: its session record survived the cleanup
      TestClient mover = resumed.get(0);
      mover.dropConnection();
      TestClient back = track(mesh.balancer().resume(mover.sessionToken()));
      assertThat(back.connected().getBoolean("resumed")).as("resumed again after the heal").isTrue();
      assertThat(back.id()).isEqualTo(mover.id());

      live.remove(mover);
      live.add(back);
      for (TestClient peer : live) {
        peer.sync();
        peer.assertNone("participant-left");
        peer.assertNone("peer-disconnected");
      }
    }
    System.out.printf("partition: not ready after %d ms, clients told to reconnect after %d ms, all moved after %d ms, "
        + "ready %d ms after heal%n", notReadyAfter.toMillis(), givenUpAfter.toMillis(), movedAfter.toMillis(),
        readyAfterHeal.toMillis());
  }

  private TestClient track(TestClient client) {
    clients.add(client);
    return client;
  }

  private Map<String, String> storedMembers() {
    Map<String, String> members = new TreeMap<>();
    @SuppressWarnings("unchecked")
    List<Object> flat = (List<Object>) mesh.redis().command("HGETALL", "signalmesh:room:{" + ROOM + "}:members");
    for (int i = 0; i < flat.size(); i += 2) {
      members.put((String) flat.get(i), new JsonObject((String) flat.get(i + 1)).getString("node"));
    }
    return members;
  }

  private static Map<String, String> nodesOf(JsonObject roomDetail) {
    Map<String, String> nodes = new TreeMap<>();
    for (Object p : roomDetail.getJsonArray("participants")) {
      JsonObject participant = (JsonObject) p;
      nodes.put(participant.getString("id"), participant.getString("node"));
    }
    return nodes;
  }

  private static List<String> reachable(JsonObject nodes) {
    List<String> ids = new ArrayList<>();
    for (Object n : nodes.getJsonArray("nodes", new JsonArray())) {
      JsonObject node = (JsonObject) n;
      if (node.getBoolean("reachable", false)) {
        ids.add(node.getString("id"));
      }
    }
    return ids;
  }
}
