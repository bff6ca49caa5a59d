package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Refusals that leave the connection open (protocol.md, Errors): the client gets
 * {@code {"type":"error","code",...,"message","ref"}} and can go on.
 */
@Timeout(30)
class ErrorsTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--max-rooms-per-client", "3", "--room-capacity", "2");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "{\"type\":\"ping\"", "[]", "[{\"type\":\"ping\"}]", "\"ping\"", "42", "null", ""})
  void aFrameThatIsNotOneJsonObjectGetsBadJsonAndTheConnectionStaysOpen(String text) {
    try (TestClient ada = node.connect()) {
      ada.sendText(text);
      JsonObject error = ada.expectError("bad-json");
      assertThat(error.getString("message")).isNotBlank();
      ada.sync();
      assertThat(ada.isClosed()).isFalse();
    }
  }

  @Test
  void anUnknownTypeGetsUnknownTypeWithTheTypeAsRef() {
    try (TestClient ada = node.connect()) {
      ada.send(new JsonObject().put("type", "make-coffee"));
      JsonObject error = ada.expectError("unknown-type");
      assertThat(error.getString("ref")).isEqualTo("make-coffee");
      ada.sync();
    }
  }

  static Stream<Arguments> invalidMessages() {
    String longId = "r".repeat(129);
    return Stream.of(
        Arguments.of("no type", "{\"roomId\":\"r1\"}"),
        Arguments.of("type not a string", "{\"type\":7}"),
        Arguments.of("type null", "{\"type\":null}"),
        Arguments.of("join-room without roomId", "{\"type\":\"join-room\"}"),
        Arguments.of("join-room roomId not a string", "{\"type\":\"join-room\",\"roomId\":12}"),
        Arguments.of("join-room roomId empty", "{\"type\":\"join-room\",\"roomId\":\"\"}"),
        Arguments.of("join-room roomId with a space", "{\"type\":\"join-room\",\"roomId\":\"a b\"}"),
        Arguments.of("join-room roomId with a slash", "{\"type\":\"join-room\",\"roomId\":\"a/b\"}"),
        Arguments.of("join-room roomId of 129 characters", "{\"type\":\"join-room\",\"roomId\":\"" + longId + "\"}"),
        Arguments.of("join-room name not a string", "{\"type\":\"join-room\",\"roomId\":\"r1\",\"name\":5}"),
        Arguments.of("join-room name too long", "{\"type\":\"join-room\",\"roomId\":\"r1\",\"name\":\"" + "n".repeat(65) + "\"}"),
        Arguments.of("join-room metadata not an object", "{\"type\":\"join-room\",\"roomId\":\"r1\",\"metadata\":\"x\"}"),
        Arguments.of("join-room metadata an array", "{\"type\":\"join-room\",\"roomId\":\"r1\",\"metadata\":[1]}"),
        Arguments.of("join-room metadata too large",
            "{\"type\":\"join-room\",\"roomId\":\"r1\",\"metadata\":{\"x\":\"" + "m".repeat(1100) + "\"}}"),
        Arguments.of("leave-room without roomId", "{\"type\":\"leave-room\"}"),
        Arguments.of("leave-room roomId invalid", "{\"type\":\"leave-room\",\"roomId\":\"#\"}"),
        Arguments.of("offer without targetId", "{\"type\":\"offer\",\"sdp\":\"x\"}"),
        Arguments.of("answer targetId not a string", "{\"type\":\"answer\",\"targetId\":1}"),
        Arguments.of("ice-candidate targetId empty", "{\"type\":\"ice-candidate\",\"targetId\":\"\"}"),
        Arguments.of("end-call targetId too long", "{\"type\":\"end-call\",\"targetId\":\"" + "t".repeat(65) + "\"}"),
        Arguments.of("broadcast without roomId", "{\"type\":\"broadcast\",\"data\":{}}"),
        Arguments.of("broadcast without data", "{\"type\":\"broadcast\",\"roomId\":\"r1\"}"),
        Arguments.of("broadcast data not an object", "{\"type\":\"broadcast\",\"roomId\":\"r1\",\"data\":\"hi\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidMessages")
  void aMissingOrInvalidFieldGetsBadMessageAndTheConnectionStaysOpen(String what, String text) {
    try (TestClient ada = node.connect()) {
      ada.sendText(text);
      JsonObject error = ada.expectError("bad-message");
      assertThat(error.getString("message")).isNotBlank();
      String type = new JsonObject(text).getValue("type") instanceof String s ? s : null;
      if (type != null) {
        assertThat(error.getString("ref")).isEqualTo(type);
      }
      ada.sync();
      assertThat(ada.isClosed()).isFalse();
    }
  }

  @Test
  void anInvalidJoinDoesNotJoin() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("still-empty");
      bob.sendText("{\"type\":\"join-room\",\"roomId\":\"still-empty\",\"name\":5}");
      bob.expectError("bad-message");
      ada.sync();
      ada.assertNone("participant-joined");
    }
  }

  @Test
  void leavingARoomYouAreNotInGetsNotInRoom() {
    try (TestClient ada = node.connect()) {
      ada.send(new JsonObject().put("type", "leave-room").put("roomId", "never-joined"));
      JsonObject error = ada.expectError("not-in-room");
      assertThat(error.getString("ref")).isEqualTo("leave-room");
    }
  }

  @Test
  void broadcastingToARoomYouAreNotInGetsNotInRoomAndDeliversNothing() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      bob.join("not-mine");
      ada.send(new JsonObject().put("type", "broadcast").put("roomId", "not-mine").put("data", new JsonObject()));
      JsonObject error = ada.expectError("not-in-room");
      assertThat(error.getString("ref")).isEqualTo("broadcast");
      bob.sync();
      bob.assertNone("broadcast");
    }
  }

  @Test
  void joiningAFullRoomGetsRoomFullAndTheMembersSeeNoJoin() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect(); TestClient cleo = node.connect()) {
      ada.join("full");
      bob.join("full");
      ada.expect("participant-joined");
      cleo.send(new JsonObject().put("type", "join-room").put("roomId", "full"));
      JsonObject error = cleo.expectError("room-full");
      assertThat(error.getString("ref")).isEqualTo("join-room");
      ada.sync();
      ada.assertNone("participant-joined");
      // a place frees up: the room takes the next one
      bob.send(new JsonObject().put("type", "leave-room").put("roomId", "full"));
      ada.expect("participant-left");
      assertThat(cleo.join("full").getJsonArray("participants").getList()).containsExactly(ada.id());
    }
  }

  @Test
  void rejoiningAFullRoomYouAreInIsStillIdempotent() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("full-rejoin");
      bob.join("full-rejoin");
      assertThat(ada.join("full-rejoin").getJsonArray("participants").getList()).containsExactly(bob.id());
      ada.assertNone("error");
    }
  }

  @Test
  void joiningMoreRoomsThanAllowedGetsForbiddenAndRejoiningAKeptRoomStillWorks() {
    try (TestClient ada = node.connect()) {
      ada.join("many-1");
      ada.join("many-2");
      ada.join("many-3");
      ada.send(new JsonObject().put("type", "join-room").put("roomId", "many-4"));
      JsonObject error = ada.expectError("forbidden");
      assertThat(error.getString("ref")).isEqualTo("join-room");
      ada.join("many-3");
      ada.send(new JsonObject().put("type", "leave-room").put("roomId", "many-1"));
      ada.join("many-4");
    }
  }
}
