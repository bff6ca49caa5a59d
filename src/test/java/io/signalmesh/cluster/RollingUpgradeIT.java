package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.NginxBalancer;
import io.signalmesh.testsupport.NodeProcess;
import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling upgrade: two nodes behind nginx with clients in calls; one node gets SIGTERM. Its
 * clients are told to reconnect, resume on the other node with the same clientId, nobody sees
 * anyone leave, and no relayed message is lost.
 */
@Timeout(180)
class RollingUpgradeIT {

  private static final int PAIRS = 25;

  @AutoClose
  private MeshCluster mesh;
  @AutoClose
  private NginxBalancer nginx;
  private final List<TestClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(TestClient::close);
  }

  @Test
  void clientsOfADrainingNodeResumeElsewhereWithoutAnyoneNoticing() throws Exception {
    mesh = MeshCluster.start("upgrade", 2, "--resume-grace", "15", "--drain-timeout", "30s");
    nginx = NginxBalancer.start(List.of(mesh.node(0).port(), mesh.node(1).port()));
    List<TestClient[]> pairs = new ArrayList<>();
    for (int i = 0; i < PAIRS; i++) {
      TestClient a = track(nginx.connect());
      TestClient b = track(nginx.connect());
      a.join("call-" + i);
      b.join("call-" + i);
      a.expect("participant-joined");
      pairs.add(new TestClient[] {a, b});
    }
    NodeProcess drained = mesh.node(1);
    List<TestClient> moving = new ArrayList<>();
    for (TestClient client : clients) {
      String stored = mesh.redis().command("HGET", "signalmesh:room:{" + roomOf(pairs, client) + "}:members", client.id());
      if (stored.contains("\"node\":\"" + drained.nodeId() + "\"")) {
        moving.add(client);
      }
    }
    assertThat(moving).as("round robin put clients on the node to drain").isNotEmpty();

    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(drained::terminate);
    List<TestClient> resumed = new ArrayList<>();
    for (TestClient client : moving) {
      assertThat(client.expect("reconnect").getString("reason")).isEqualTo("draining");
      assertThat(client.awaitClose()).isEqualTo(1012);
      TestClient partner = partnerOf(pairs, client);
      partner.relay("offer", client.id(), new JsonObject().put("sdp", "sent while " + client.id() + " moved"));
      TestClient again = track(nginx.resume(client.sessionToken()));
      assertThat(again.connected().getBoolean("resumed")).isTrue();
      assertThat(again.id()).isEqualTo(client.id());
      resumed.add(again);
    }
    // 143 = terminated by SIGTERM, after the shutdown hook drained the node
    assertThat(exit.get()).as("the drained node exits").isEqualTo(143);
    assertThat(java.nio.file.Files.readString(drained.log()))
        .as("every session moved before the node left").contains("stopped node=\"" + drained.nodeId() + "\" sessionsLeft=\"0\"");

    for (TestClient again : resumed) {
      assertThat(again.expect("offer").getString("sdp")).isEqualTo("sent while " + again.id() + " moved");
    }
    for (TestClient[] pair : pairs) {
      TestClient a = current(resumed, pair[0]);
      TestClient b = current(resumed, pair[1]);
      a.relay("answer", b.id(), new JsonObject().put("sdp", "after the upgrade"));
      assertThat(b.expect("answer").getString("senderId")).isEqualTo(a.id());
    }
    for (TestClient client : clients) {
      if (!client.isClosed()) {
        client.sync();
        client.assertNone("participant-left");
        client.assertNone("peer-disconnected");
      }
    }
  }

  private TestClient track(TestClient client) {
    clients.add(client);
    return client;
  }

  private static String roomOf(List<TestClient[]> pairs, TestClient client) {
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.get(i)[0] == client || pairs.get(i)[1] == client) {
        return "call-" + i;
      }
    }
    throw new IllegalArgumentException("not in a pair");
  }

  private static TestClient partnerOf(List<TestClient[]> pairs, TestClient client) {
    for (TestClient[] pair : pairs) {
      if (pair[0] == client) {
        return pair[1];
      }
      if (pair[1] == client) {
        return pair[0];
      }
    }
    throw new IllegalArgumentException("not in a pair");
  }

  private static TestClient current(List<TestClient> resumed, TestClient original) {
    return resumed.stream().filter(r -> r.id().equals(original.id())).findFirst().orElse(original);
  }
}
