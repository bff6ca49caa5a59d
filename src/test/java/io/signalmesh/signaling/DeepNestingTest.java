package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.signalmesh.testsupport.LogCapture;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames nested deeper than any real message (found by the generated hostile frames): refused
 * with {@code bad-json} before they are parsed, so that re-encoding them (a relay, a broadcast,
 * metadata) cannot overflow an event loop's stack.
 */
@Timeout(30)
class DeepNestingTest {

  @AutoClose
  private static final TestNode node = TestNode.start();

  @Test
  void aRelayWithADeeplyNestedPayloadGetsBadJsonAndNothingReachesThePeer() {
    try (LogCapture logs = LogCapture.attach(); TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("deep-room");
      bob.join("deep-room");
      ada.expect("participant-joined");
      ada.sendText("{\"type\":\"offer\",\"targetId\":\"" + bob.id() + "\",\"sdp\":" + nested(900) + "}");
      assertThat(ada.expectError("bad-json").getString("message")).contains("deep");
      ada.sync();
      bob.sync();
      bob.assertNone("offer");
      assertThat(logs.events()).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.ERROR));
    }
  }

  @Test
  void joinMetadataNestedDeeplyGetsBadJsonAndTheConnectionStaysOpen() {
    try (LogCapture logs = LogCapture.attach(); TestClient ada = node.connect()) {
      ada.sendText("{\"type\":\"join-room\",\"roomId\":\"deep-meta\",\"metadata\":{\"m\":" + nested(900) + "}}");
      ada.expectError("bad-json");
      ada.sync();
      assertThat(ada.isClosed()).isFalse();
      assertThat(logs.events()).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.ERROR));
    }
  }

  @Test
  void aPayloadNestedAsDeeplyAsTheLimitIsStillRelayed() {
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("deep-ok");
      bob.join("deep-ok");
      ada.expect("participant-joined");
      // the envelope is level 1: its payload may nest 31 more
      ada.sendText("{\"type\":\"offer\",\"targetId\":\"" + bob.id() + "\",\"sdp\":" + nested(31) + "}");
      JsonObject offer = bob.expect("offer");
      assertThat(offer.getString("senderId")).isEqualTo(ada.id());
    }
  }

  /** An object nested {@code depth} levels deep: {"a":{"a":...1...}}. */
  static String nested(int depth) {
    return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
  }
}
