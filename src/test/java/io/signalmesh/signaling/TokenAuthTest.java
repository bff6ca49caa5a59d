package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.auth.RoomTokenIssuer;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Token mode (protocol.md, Auth): joining needs a room token that covers the room. */
@Timeout(30)
class TokenAuthTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-0123456789";
  private static final RoomTokenIssuer ISSUER = new RoomTokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--token-secret", SECRET);
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private static String token(String room) {
    return ISSUER.issue("user-" + room, room, null, Duration.ofMinutes(5), null);
  }

  private static TestClient withToken(String token) {
    return node.connect("/ws?token=" + token);
  }

  @Test
  void aConnectionWithoutTokenGetsUnauthorizedAndClose4001() {
    try (TestClient client = TestClient.open("ws://127.0.0.1:" + node.port() + "/ws")) {
      JsonObject error = client.expectError("unauthorized");
      assertThat(error.getString("message")).isNotBlank();
      assertThat(client.awaitClose()).isEqualTo(4001);
      client.assertNone("connected");
    }
  }

  @Test
  void aTokenSignedWithAnotherSecretGetsUnauthorizedAndClose4001() {
    String forged = new RoomTokenIssuer("another-secret-of-at-least-32-bytes-abcdefgh".getBytes(StandardCharsets.UTF_8),
        Clock.systemUTC()).issue("mallory", "*", null, Duration.ofMinutes(5), null);
    try (TestClient client = TestClient.open("ws://127.0.0.1:" + node.port() + "/ws?token=" + forged)) {
      client.expectError("unauthorized");
      assertThat(client.awaitClose()).isEqualTo(4001);
    }
  }

  @Test
  void anExpiredTokenGetsUnauthorized() {
    Clock anHourAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
    String expired = new RoomTokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), anHourAgo)
        .issue("late", "r", null, Duration.ofMinutes(5), null);
    try (TestClient client = TestClient.open("ws://127.0.0.1:" + node.port() + "/ws?token=" + expired)) {
      client.expectError("unauthorized");
      assertThat(client.awaitClose()).isEqualTo(4001);
    }
  }

  @Test
  void aGarbageTokenGetsUnauthorized() {
    try (TestClient client = TestClient.open("ws://127.0.0.1:" + node.port() + "/ws?token=not.a.jwt")) {
      client.expectError("unauthorized");
      assertThat(client.awaitClose()).isEqualTo(4001);
    }
  }

  @Test
  void aValidTokenJoinsItsRoom() {
    try (TestClient ada = withToken(token("tok-room")); TestClient bob = withToken(token("tok-room"))) {
      ada.join("tok-room");
      assertThat(bob.join("tok-room").getJsonArray("participants").getList()).containsExactly(ada.id());
    }
  }

  @Test
  void joiningARoomTheTokenDoesNotCoverGetsForbiddenAndTheConnectionStaysOpen() {
    try (TestClient ada = withToken(token("mine")); TestClient bob = withToken(token("theirs"))) {
      bob.join("theirs");
      ada.send(new JsonObject().put("type", "join-room").put("roomId", "theirs"));
      JsonObject error = ada.expectError("forbidden");
      assertThat(error.getString("ref")).isEqualTo("join-room");
      bob.sync();
      bob.assertNone("participant-joined");
      ada.join("mine");
    }
  }

  @Test
  void aPrefixTokenCoversEveryRoomWithThePrefixOnly() {
    try (TestClient ada = withToken(ISSUER.issue("ada", "team-a.*", null, Duration.ofMinutes(5), null))) {
      ada.join("team-a.standup");
      ada.join("team-a.retro");
      ada.send(new JsonObject().put("type", "join-room").put("roomId", "team-b.standup"));
      ada.expectError("forbidden");
    }
  }

  @Test
  void theTokenCapacityMakesTheRoomFull() {
    String capped = ISSUER.issue("any", "capped", null, Duration.ofMinutes(5), 2);
    try (TestClient ada = withToken(capped); TestClient bob = withToken(capped); TestClient cleo = withToken(capped)) {
      ada.join("capped");
      bob.join("capped");
      cleo.send(new JsonObject().put("type", "join-room").put("roomId", "capped"));
      cleo.expectError("room-full");
    }
  }

  @Test
  void aResumeNeedsNoNewTokenAndKeepsTheGrant() {
    try (TestClient ada = withToken(token("resume-tok"))) {
      ada.join("resume-tok");
      ada.dropConnection();
      try (TestClient again = node.connect("/ws?resume=" + ada.sessionToken())) {
        assertThat(again.id()).isEqualTo(ada.id());
        assertThat(again.connected().getBoolean("resumed")).isTrue();
        again.send(new JsonObject().put("type", "join-room").put("roomId", "elsewhere"));
        again.expectError("forbidden");
      }
    }
  }
}
