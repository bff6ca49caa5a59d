package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.LogCapture;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resume on one node (protocol.md, Resume and Liveness): a dropped connection keeps its session
 * for the grace; a normal close or no resume in time ends it. The server noticing a drop is
 * only visible in its log, so tests that must act after it wait for that line.
 */
@Timeout(30)
class ResumeTest {

  /** Long enough that no resume in these tests can miss it. */
  private static TestNode longGrace;
  /** One second: the no-resume tests wait it out. */
  private static TestNode shortGrace;
  private LogCapture log;

  @BeforeAll
  static void startNodes() {
    longGrace = TestNode.start("--resume-grace", "60");
    shortGrace = TestNode.start("--resume-grace", "1");
  }

  @AfterAll
  static void stopNodes() {
    longGrace.close();
    shortGrace.close();
  }

  @BeforeEach
  void captureLog() {
    log = LogCapture.attach();
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private void dropAndWaitUntilNoticed(TestClient client) {
    client.dropConnection();
    log.await(LogCapture.about(client.id(), "waiting for resume"));
  }

  @Test
  void resumeWithinGraceKeepsTheClientIdAndRoomsAndSaysResumed() {
    try (TestClient ada = longGrace.connect(); TestClient bob = longGrace.connect()) {
      ada.join("resume-keep");
      bob.join("resume-keep");
      dropAndWaitUntilNoticed(ada);
      try (TestClient again = longGrace.connect("/ws?resume=" + ada.sessionToken())) {
        JsonObject connected = again.connected();
        assertThat(connected.getString("clientId")).isEqualTo(ada.id());
        assertThat(connected.getBoolean("resumed")).isTrue();
        assertThat(connected.getValue("protocol")).isEqualTo(1);
        assertThat(connected.getString("sessionToken")).isNotBlank();
        // still in the room: relays and broadcasts reach it both ways, get-peers lists bob
        bob.relay("offer", ada.id(), new JsonObject().put("sdp", "after"));
        assertThat(again.expect("offer").getString("senderId")).isEqualTo(bob.id());
        again.send(new JsonObject().put("type", "broadcast").put("roomId", "resume-keep").put("data", new JsonObject()));
        assertThat(bob.expect("broadcast").getString("senderId")).isEqualTo(ada.id());
        again.send(new JsonObject().put("type", "get-peers"));
        assertThat(again.expect("peers-list").getJsonArray("peers").getList()).containsExactly(bob.id());
      }
    }
  }

  @Test
  void peersSeeNoLeaveOrJoinWhenAClientResumes() {
    try (TestClient ada = longGrace.connect(); TestClient bob = longGrace.connect()) {
      ada.join("resume-quiet");
      bob.join("resume-quiet");
      ada.expect("participant-joined");
      dropAndWaitUntilNoticed(ada);
      try (TestClient again = longGrace.connect("/ws?resume=" + ada.sessionToken())) {
        again.sync();
        bob.sync();
        bob.assertNone("peer-disconnected");
        bob.assertNone("participant-left");
        bob.assertNone("participant-joined");
      }
    }
  }

  @Test
  void messagesSentDuringTheGapAreDeliveredInOrderAfterConnected() {
    try (TestClient ada = longGrace.connect(); TestClient bob = longGrace.connect()) {
      ada.join("resume-queue");
      bob.join("resume-queue");
      dropAndWaitUntilNoticed(ada);
      for (int i = 0; i < 20; i++) {
        bob.relay(i % 2 == 0 ? "ice-candidate" : "offer", ada.id(), new JsonObject().put("seq", i));
      }
      bob.send(new JsonObject().put("type", "broadcast").put("roomId", "resume-queue")
          .put("data", new JsonObject().put("seq", 20)));
      bob.sync();
      bob.assertNone("error");
      try (TestClient again = TestClient.open("ws://127.0.0.1:" + longGrace.port() + "/ws?resume=" + ada.sessionToken())) {
        again.sync();
        List<JsonObject> received = again.drain();
        assertThat(received.get(0).getString("type")).isEqualTo("connected");
        assertThat(received.get(0).getBoolean("resumed")).isTrue();
        List<Integer> seqs = new ArrayList<>();
        for (JsonObject message : received.subList(1, received.size())) {
          if (message.getString("type").equals("broadcast")) {
            seqs.add(message.getJsonObject("data").getInteger("seq"));
          } else if (!message.getString("type").equals("pong")) {
            assertThat(message.getString("senderId")).isEqualTo(bob.id());
            seqs.add(message.getInteger("seq"));
          }
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
          expected.add(i);
        }
        assertThat(seqs).isEqualTo(expected);
      }
    }
  }

  @Test
  void resumingWithAnUnknownTokenGivesAFreshSessionWithoutResumed() {
    try (TestClient ada = longGrace.connect("/ws?resume=bm90LWEtcmVhbC1zZXNzaW9uLXRva2Vu")) {
      assertThat(ada.connected().containsKey("resumed")).isFalse();
      assertThat(ada.id()).isNotBlank();
      ada.join("fresh");
    }
  }

  @Test
  void resumingAfterANormalCloseGivesAFreshSession() {
    try (TestClient ada = longGrace.connect()) {
      ada.join("closed-for-good");
      ada.closeNormally();
      try (TestClient again = longGrace.connect("/ws?resume=" + ada.sessionToken())) {
        assertThat(again.id()).isNotEqualTo(ada.id());
        assertThat(again.connected().containsKey("resumed")).isFalse();
      }
    }
  }

  @Test
  void resumingWhileTheOldConnectionIsStillOpenMovesTheSessionAndClosesTheOldOne() {
    try (TestClient ada = longGrace.connect(); TestClient bob = longGrace.connect()) {
      ada.join("takeover");
      bob.join("takeover");
      try (TestClient again = longGrace.connect("/ws?resume=" + ada.sessionToken())) {
        assertThat(again.id()).isEqualTo(ada.id());
        assertThat(ada.awaitClose()).isEqualTo(4000);
        bob.relay("offer", ada.id(), new JsonObject().put("sdp", "x"));
        again.expect("offer");
        bob.sync();
        bob.assertNone("participant-left");
        bob.assertNone("peer-disconnected");
      }
    }
  }

  @Test
  void aNormalCloseTellsThePeersAtOnceWithReasonLeft() {
    try (TestClient ada = longGrace.connect(); TestClient bob = longGrace.connect()) {
      ada.join("normal-close");
      bob.join("normal-close");
      ada.closeNormally();
      // the grace is 60 s: these arrive within the 10 s expect deadline only if sent at once
      assertThat(bob.expect("peer-disconnected").getString("clientId")).isEqualTo(ada.id());
      assertThat(bob.expect("participant-left")).isEqualTo(new JsonObject().put("type", "participant-left")
          .put("roomId", "normal-close").put("participantId", ada.id()).put("reason", "left"));
    }
  }

  @Test
  void withoutResumeThePeersGetPeerDisconnectedAndParticipantLeftDisconnectedAfterTheGrace() {
    try (TestClient ada = shortGrace.connect(); TestClient bob = shortGrace.connect()) {
      ada.join("no-resume");
      bob.join("no-resume");
      ada.dropConnection();
      long noticed = log.await(LogCapture.about(ada.id(), "waiting for resume")).getTimeStamp();
      assertThat(bob.expect("peer-disconnected").getString("clientId")).isEqualTo(ada.id());
      assertThat(System.currentTimeMillis() - noticed).as("ms from the drop to peer-disconnected")
          .isGreaterThanOrEqualTo(900);
      JsonObject left = bob.expect("participant-left");
      long told = System.currentTimeMillis();
      assertThat(left).isEqualTo(new JsonObject().put("type", "participant-left")
          .put("roomId", "no-resume").put("participantId", ada.id()).put("reason", "disconnected"));
      assertThat(told - noticed).as("ms from the drop to participant-left").isGreaterThanOrEqualTo(900);
      bob.send(new JsonObject().put("type", "get-peers"));
      assertThat(bob.expect("peers-list").getJsonArray("peers")).isEmpty();
    }
  }

  @Test
  void resumingAfterTheGraceGivesAFreshSessionOutOfTheRooms() {
    try (TestClient ada = shortGrace.connect(); TestClient bob = shortGrace.connect()) {
      ada.join("too-late");
      bob.join("too-late");
      ada.dropConnection();
      bob.expect("participant-left");
      try (TestClient again = shortGrace.connect("/ws?resume=" + ada.sessionToken())) {
        assertThat(again.id()).isNotEqualTo(ada.id());
        assertThat(again.connected().containsKey("resumed")).isFalse();
        again.send(new JsonObject().put("type", "get-peers"));
        assertThat(again.expect("peers-list").getJsonArray("peers")).isEmpty();
      }
    }
  }

  @Test
  void relayToADroppedPeerBeyondItsBoundedQueueGetsUnavailable() {
    try (TestNode node = TestNode.start("--resume-grace", "60", "--resume-inbox", "3");
        TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("bounded");
      bob.join("bounded");
      dropAndWaitUntilNoticed(ada);
      for (int i = 0; i < 4; i++) {
        bob.relay("ice-candidate", ada.id(), new JsonObject().put("seq", i));
      }
      JsonObject error = bob.expectError("unavailable");
      assertThat(error.getString("ref")).isEqualTo("ice-candidate");
      bob.sync();
      bob.assertNone("error");
      try (TestClient again = TestClient.open("ws://127.0.0.1:" + node.port() + "/ws?resume=" + ada.sessionToken())) {
        again.sync();
        List<Integer> seqs = again.drain().stream().filter(m -> "ice-candidate".equals(m.getString("type")))
            .map(m -> m.getInteger("seq")).toList();
        assertThat(seqs).containsExactly(0, 1, 2);
      }
    }
  }
}
