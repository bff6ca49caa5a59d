package io.signalmesh.webhook;

import static io.signalmesh.webhook.WebhookReceiver.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks of a mesh: two real node processes and a real Redis, two receivers. Each event is
 * POSTed once per receiver, not once per node; and events a node held when it was killed reach
 * the receivers through the survivor, with the dead node's members reported as left with reason
 * node-failure. The mesh is shared: the test that kills a node runs last.
 */
@Timeout(150)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookClusterIT {

  private static final String SECRET = "a-webhook-secret-for-the-mesh";
  private static final int GRACE_SECONDS = 2;
  /** Documented bound (docs/cluster.md): liveness TTL 5 s + a heartbeat check 1 s + the grace + reaping. */
  private static final Duration REAP_BOUND = Duration.ofSeconds(5 + 1 + GRACE_SECONDS + 5);
  /** Documented (docs/webhooks.md): an event failed before the receiver came back is retried within a minute. */
  private static final Duration AFTER_RECEIVER_RETURNS = Duration.ofSeconds(60 + 5);
  private static final Duration ARRIVAL = Duration.ofSeconds(15);

  @AutoClose
  private static WebhookReceiver first;
  @AutoClose
  private static WebhookReceiver second;
  @AutoClose
  private static MeshCluster mesh;

  @BeforeAll
  static void startMesh() {
    first = new WebhookReceiver(SECRET).start();
    second = new WebhookReceiver(SECRET).start();
    mesh = MeshCluster.start("webhooks", 2, "--resume-grace", Integer.toString(GRACE_SECONDS),
        "--webhook-url", first.url(), "--webhook-url", second.url(), "--webhook-secret", SECRET);
  }

  @Test
  @Order(1)
  void eachEventReachesEachUrlOnceNotOncePerNode() {
    try (TestClient ada = mesh.node(0).connect(); TestClient bob = mesh.node(1).connect();
        TestClient carol = mesh.node(1).connect()) {
      ada.join("mesh-room", "Ada");
      bob.join("mesh-room", "Bob");
      ada.expect("participant-joined");
      carol.join("other-room");
      ada.send(new JsonObject().put("type", "leave-room").put("roomId", "mesh-room"));
      bob.expect("participant-left");
      bob.closeNormally();
      carol.closeNormally();

      for (WebhookReceiver receiver : List.of(first, second)) {
        receiver.awaitEvent("mesh-room finished", ARRIVAL, event("room-finished", "mesh-room"));
        receiver.awaitEvent("other-room finished", ARRIVAL, event("room-finished", "other-room"));
      }
      Wait.until("every outbox stream to be delivered and empty", ARRIVAL, this::outboxesEmpty);

      for (WebhookReceiver receiver : List.of(first, second)) {
        List<JsonObject> events = receiver.events().stream()
            .filter(e -> List.of("mesh-room", "other-room").contains(e.getString("roomId"))).toList();
        assertThat(events).extracting(e -> e.getString("type") + " " + e.getString("roomId")).containsExactlyInAnyOrder(
            "room-started mesh-room", "participant-joined mesh-room", "participant-joined mesh-room",
            "participant-left mesh-room", "participant-left mesh-room", "room-finished mesh-room",
            "room-started other-room", "participant-joined other-room", "participant-left other-room",
            "room-finished other-room");
        assertThat(receiver.deliveries()).as("POSTs, each event once").hasSize(10)
            .allMatch(WebhookReceiver.Delivery::signatureValid);
        assertThat(events).filteredOn(event("participant-joined", "mesh-room", bob.id()))
            .singleElement().satisfies(e -> assertThat(e.getString("node")).isEqualTo(mesh.node(1).nodeId()));
      }
      assertThat(first.events()).extracting(e -> e.getString("id"))
          .containsExactlyInAnyOrderElementsOf(second.events().stream().map(e -> e.getString("id")).toList());
    }
  }

  @Test
  @Order(2)
  void eventsHeldByAKilledNodeArriveThroughTheSurvivorWithItsMembersLeftForNodeFailure() {
    first.answerWith(503);
    second.answerWith(503);
    try (TestClient survivor = mesh.node(0).connect(); TestClient doomed = mesh.node(1).connect();
        TestClient alone = mesh.node(1).connect()) {
      survivor.join("kept-room");
      doomed.join("kept-room");
      alone.join("lonely-room");
      survivor.expect("participant-joined");
      Wait.until("the doomed node to hold events it failed to deliver", ARRIVAL,
          () -> mesh.node(1).logText().contains("webhook delivery failed") && pendingOn(mesh.node(1).nodeId()) > 0);
      mesh.node(1).kill();

      mesh.node(0).awaitLog("the survivor to reap the dead node", "reaped dead node", REAP_BOUND);
      first.answerWith(200);
      second.answerWith(200);

      Wait.until("every outbox stream to be delivered and empty", AFTER_RECEIVER_RETURNS, this::outboxesEmpty);
      for (WebhookReceiver receiver : List.of(first, second)) {
        List<JsonObject> events = receiver.events().stream()
            .filter(e -> List.of("kept-room", "lonely-room").contains(e.getString("roomId"))).toList();
        assertThat(events).extracting(e -> e.getString("type") + " " + e.getString("roomId")).containsExactlyInAnyOrder(
            "room-started kept-room", "participant-joined kept-room", "participant-joined kept-room",
            "participant-left kept-room",
            "room-started lonely-room", "participant-joined lonely-room", "participant-left lonely-room",
            "room-finished lonely-room");
        assertThat(events).filteredOn(e -> "participant-left".equals(e.getString("type")))
            .allSatisfy(left -> {
              assertThat(left.getString("reason")).isEqualTo("node-failure");
              assertThat(left.getString("node")).isEqualTo(mesh.node(1).nodeId());
            });
        assertThat(receiver.deliveries()).allMatch(WebhookReceiver.Delivery::signatureValid);
      }
    }
  }

  /** Each receiver acknowledged everything: an acknowledged event leaves its stream at once. */
  private boolean outboxesEmpty() {
    return Receiver.of(List.of(first.url(), second.url())).stream()
        .allMatch(receiver -> "0".equals(mesh.redis().command("XLEN", receiver.streamKey())));
  }

  /** Entries of either stream that the node took and has not acknowledged (XPENDING's count of them). */
  private int pendingOn(String consumer) {
    int pending = 0;
    for (Receiver receiver : Receiver.of(List.of(first.url(), second.url()))) {
      // an array reply: RedisServer.command gives its first line, "*<number of entries>"
      String reply = mesh.redis().command("XPENDING", receiver.streamKey(), RedisOutbox.GROUP, "-", "+", "100", consumer);
      pending += Integer.parseInt(reply.substring(1));
    }
    return pending;
  }
}
