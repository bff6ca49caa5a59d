package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.NginxBalancer;
import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Through a real round-robin nginx in front of two nodes: no sticky sessions needed. */
@Timeout(90)
class LoadBalancerIT {

  @AutoClose
  private static MeshCluster mesh;
  @AutoClose
  private static NginxBalancer nginx;

  @BeforeAll
  static void start() {
    mesh = MeshCluster.start("lb", 2);
    nginx = NginxBalancer.start(List.of(mesh.node(0).port(), mesh.node(1).port()));
  }

  @Test
  void clientsBehindTheBalancerReachEachOtherWhicheverNodeTheyLandedOn() {
    List<TestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        TestClient client = nginx.connect();
        client.join("lb-room");
        clients.add(client);
      }
      TestClient first = clients.get(0);
      for (TestClient other : clients.subList(1, clients.size())) {
        // a client learns of a peer from participant-joined before it calls it
        first.expect("participant-joined", m -> other.id().equals(m.getString("participantId")));
        first.relay("offer", other.id(), new JsonObject().put("sdp", "to " + other.id()));
        JsonObject offer = other.expect("offer");
        assertThat(offer.getString("senderId")).isEqualTo(first.id());
        assertThat(offer.getString("sdp")).isEqualTo("to " + other.id());
        other.relay("answer", first.id(), new JsonObject().put("sdp", "from " + other.id()));
        assertThat(first.expect("answer", m -> other.id().equals(m.getString("senderId"))).getString("sdp"))
            .isEqualTo("from " + other.id());
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void aClientResumesThroughTheBalancerWhicheverNodeItLandsOn() {
    try (TestClient peer = nginx.connect(); TestClient mover = nginx.connect()) {
      peer.join("lb-resume");
      mover.join("lb-resume");
      peer.expect("participant-joined");
      for (int round = 0; round < 3; round++) {
        TestClient previous = mover;
        previous.dropConnection();
        try (TestClient resumed = nginx.resume(mover.sessionToken())) {
          assertThat(resumed.connected().getBoolean("resumed")).isTrue();
          assertThat(resumed.id()).isEqualTo(mover.id());
          peer.relay("offer", resumed.id(), new JsonObject().put("round", round));
          assertThat(resumed.expect("offer").getInteger("round")).isEqualTo(round);
        }
      }
    }
  }
}
