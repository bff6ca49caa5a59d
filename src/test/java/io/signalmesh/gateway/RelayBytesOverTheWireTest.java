package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A relay leaves the node as the sender's bytes: the target (the JDK's WebSocket client, which
 * fails a connection on malformed UTF-8) gets every character intact, however the sender split
 * its message into frames, and valid UTF-8 even when the sender's was not.
 */
@Timeout(30)
class RelayBytesOverTheWireTest {

  private static final String SDP = "v=0 é€😀 𝄞";
  @AutoClose
  private static final TestNode node = TestNode.start();

  private static byte[] offer(String targetId, String sdpJson) {
    return ("{\"type\":\"offer\",\"targetId\":\"" + targetId + "\",\"sdp\":" + sdpJson + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static RawWebSocket joined(String room) {
    RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws");
    raw.expect("connected");
    raw.sendText(new JsonObject().put("type", "join-room").put("roomId", room));
    raw.expect("room-participants");
    return raw;
  }

  @Test
  void multiByteCharactersSplitAcrossFramesArriveIntact() {
    try (TestClient bob = node.connect(); RawWebSocket ada = joined("bytes-split")) {
      bob.join("bytes-split");
      byte[] frame = offer(bob.id(), "\"" + SDP + "\"");
      int cut = frame.length - 5; // inside the 4 bytes of the last character

      ada.sendFrame(false, 0, RawWebSocket.OP_TEXT, Arrays.copyOfRange(frame, 0, cut));
      ada.sendFrame(true, 0, RawWebSocket.OP_CONTINUATION, Arrays.copyOfRange(frame, cut, frame.length));

      JsonObject received = bob.expect("offer");
      assertThat(received.getString("sdp")).isEqualTo(SDP);
      assertThat(received.containsKey("targetId")).isFalse();
      assertThat(received.getString("senderId")).isNotBlank().isNotEqualTo(bob.id());
    }
  }

  @Test
  void malformedUtf8ArrivesAsReplacementCharactersAndTheTargetStaysConnected() {
    try (TestClient bob = node.connect(); RawWebSocket ada = joined("bytes-bad")) {
      bob.join("bytes-bad");
      byte[] head = offer(bob.id(), "\"a");
      byte[] frame = Arrays.copyOf(head, head.length - 1 + 5);
      System.arraycopy(new byte[] {(byte) 0xC0, (byte) 0xAF, 'b', '"', '}'}, 0, frame, head.length - 1, 5);

      ada.sendFrame(true, 0, RawWebSocket.OP_TEXT, frame);
      ada.sendText(new String(offer(bob.id(), "\"after\""), StandardCharsets.UTF_8));

      assertThat(bob.expect("offer").getString("sdp")).startsWith("a\uFFFD").endsWith("b");
      assertThat(bob.expect("offer").getString("sdp")).isEqualTo("after");
      assertThat(bob.isClosed()).isFalse();
    }
  }
}
