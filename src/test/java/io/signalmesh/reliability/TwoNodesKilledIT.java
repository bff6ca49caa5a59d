package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.NodeProcess;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two of three nodes killed at once (SIGKILL) and restarted on the same ports, as a rolling
 * update with more than one unavailable, or a host failure, does: nothing on the survivor waits
 * for the departed, and afterwards the cluster's registrations (Redis node set, liveness, death
 * declarations, Hazelcast membership, presence) hold only live nodes and members.
 */
@Timeout(150)
class TwoNodesKilledIT {

  /** Liveness TTL: the departed are not even declared dead before this. */
  private static final Duration DETECTION = Duration.ofSeconds(5);

  @AutoClose
  private MeshCluster mesh;

  @Test
  void theSurvivorWaitsOnNoDepartedNodeAndAfterTheRestartOnlyLiveNodesAreRegistered() {
    mesh = MeshCluster.start("two", 3, "--resume-grace", "3");
    NodeProcess survivor = mesh.node(0);
    List<NodeProcess> all = List.of(survivor, mesh.node(1), mesh.node(2));
    try (TestClient x = survivor.connect(); TestClient y = mesh.node(1).connect(); TestClient z = mesh.node(2).connect()) {
      x.join("t-room");
      y.join("t-room");
      z.join("t-room");
      x.expect("participant-joined", m -> y.id().equals(m.getString("participantId")));
      x.expect("participant-joined", m -> z.id().equals(m.getString("participantId")));

      long killedAt = System.nanoTime();
      CompletableFuture.allOf(CompletableFuture.runAsync(mesh.node(1)::kill),
          CompletableFuture.runAsync(mesh.node(2)::kill)).join();

      try (TestClient w = survivor.connect()) {
        // joins and relays on the survivor go on at once, before the departed are even detected
        w.join("t-room");
        x.expect("participant-joined", m -> w.id().equals(m.getString("participantId")));
        x.relay("offer", w.id(), new JsonObject().put("sdp", "right after the kill"));
        assertThat(w.expect("offer").getString("sdp")).isEqualTo("right after the kill");
        w.relay("answer", x.id(), new JsonObject().put("sdp", "back"));
        assertThat(x.expect("answer").getString("sdp")).isEqualTo("back");
        x.relay("ice-candidate", y.id(), new JsonObject().put("seq", 1));
        x.sync();
        x.assertNone("error");
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
        assertThat(took).as("served without waiting for the failure detection").isLessThan(DETECTION);

        // once the departed are declared dead, nothing sent to them waits for a confirmation
        Wait.until("both departed declared dead", Duration.ofSeconds(15),
            () -> "1".equals(mesh.redis().command("EXISTS", "signalmesh:node:{" + mesh.node(1).nodeId() + "}:dead"))
                && "1".equals(mesh.redis().command("EXISTS", "signalmesh:node:{" + mesh.node(2).nodeId() + "}:dead")));
        x.relay("ice-candidate", z.id(), new JsonObject().put("seq", 2));
        x.sync();
        Wait.until("no frame of the survivor waiting on the departed", Duration.ofSeconds(5),
            () -> unconfirmed(survivor) == 0);
        Wait.until("their clients reaped after the grace", Duration.ofSeconds(15),
            () -> "2".equals(mesh.redis().command("HLEN", "signalmesh:room:{t-room}:members")));

        CompletableFuture.allOf(CompletableFuture.runAsync(() -> mesh.node(1).start().awaitReady()),
            CompletableFuture.runAsync(() -> mesh.node(2).start().awaitReady())).join();

        Wait.until("every node to list exactly the three, reachable, in one cluster of three", Duration.ofSeconds(45),
            () -> MeshChecks.oneClusterOf(all));
        assertThat(mesh.redis().command("SCARD", "signalmesh:nodes")).isEqualTo("3");
        for (NodeProcess node : all) {
          String id = node.nodeId();
          assertThat(mesh.redis().command("SISMEMBER", "signalmesh:nodes", id)).isEqualTo("1");
          assertThat(mesh.redis().command("EXISTS", "signalmesh:node:{" + id + "}:alive")).isEqualTo("1");
          assertThat(mesh.redis().command("EXISTS", "signalmesh:node:{" + id + "}:dead")).as(id + " declared dead")
              .isEqualTo("0");
        }
        String room = "signalmesh:room:{t-room}:members";
        assertThat(mesh.redis().command("HEXISTS", room, x.id())).isEqualTo("1");
        assertThat(mesh.redis().command("HEXISTS", room, w.id())).isEqualTo("1");
        assertThat(new AdminRest(mesh.node(2).managementPort()).room("t-room").getJsonArray("participants").size())
            .as("the room as any node's admin API shows it").isEqualTo(2);
        MeshChecks.relaysBetweenEveryPair(all, "after-room");
      }
    }
  }

  private static int unconfirmed(NodeProcess node) {
    java.util.Map<String, JsonObject> listed = MeshChecks.listedBy(node);
    JsonObject self = listed == null ? null : listed.get(node.nodeId());
    return self == null ? -1 : self.getInteger("unconfirmedFrames", -1);
  }
}
