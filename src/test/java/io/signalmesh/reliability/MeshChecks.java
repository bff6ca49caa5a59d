package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.NodeProcess;
import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What an operator checks after a fault: each node's view of the mesh (admin REST), and relays across every pair of nodes. */
final class MeshChecks {

  private MeshChecks() {}

  /**
   * Whether every node's {@code /admin/nodes} lists exactly these nodes, each reachable and
   * seeing a Hazelcast cluster of exactly that many members (one cluster, no ghost members).
   */
  static boolean oneClusterOf(List<NodeProcess> nodes) {
    Set<String> ids = nodes.stream().map(NodeProcess::nodeId).collect(Collectors.toSet());
    for (NodeProcess node : nodes) {
      Map<String, JsonObject> listed = listedBy(node);
      if (listed == null || !listed.keySet().equals(ids)) {
        return false;
      }
      for (JsonObject info : listed.values()) {
        if (!info.getBoolean("reachable", false) || info.getInteger("clusterMembers", 0) != nodes.size()) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code /admin/nodes} of one node by id, or null if it does not answer. */
  static Map<String, JsonObject> listedBy(NodeProcess node) {
    try {
      Map<String, JsonObject> listed = new TreeMap<>();
      new AdminRest(node.managementPort()).nodes().getJsonArray("nodes")
          .forEach(n -> listed.put(((JsonObject) n).getString("id"), (JsonObject) n));
      return listed;
    } catch (IllegalStateException e) {
      return null;
    }
  }

  /** A client on each node joins one room, and each relays to each other: every pair of nodes carries signaling. */
  static void relaysBetweenEveryPair(List<NodeProcess> nodes, String room) {
    List<TestClient> clients = new ArrayList<>();
    try {
      for (NodeProcess node : nodes) {
        TestClient client = node.connect();
        clients.add(client);
        client.join(room);
      }
      // a client learns of later joiners from participant-joined (of earlier ones from room-participants)
      for (int i = 0; i < clients.size(); i++) {
        for (int j = i + 1; j < clients.size(); j++) {
          String joiner = clients.get(j).id();
          clients.get(i).expect("participant-joined", m -> joiner.equals(m.getString("participantId")));
        }
      }
      for (TestClient from : clients) {
        for (TestClient to : clients) {
          if (from == to) {
            continue;
          }
          from.relay("offer", to.id(), new JsonObject().put("sdp", from.id() + ">" + to.id()));
          JsonObject offer = to.expect("offer", m -> from.id().equals(m.getString("senderId")));
          assertThat(offer.getString("sdp")).isEqualTo(from.id() + ">" + to.id());
        }
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }
}
