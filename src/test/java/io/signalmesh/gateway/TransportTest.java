package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The WebSocket transport and the web app on the public port (protocol.md, Transport). */
@Timeout(30)
class TransportTest {

  private static final int MAX = 65536;
  @AutoClose
  private static final TestNode node = TestNode.start();

  @Test
  void upgradeOnWsPathIsAccepted() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws")) {
      assertThat(ada.id()).isNotBlank();
      ada.sync();
    }
  }

  @Test
  void upgradeOnRootPathIsAcceptedLikeTheTutorialClients() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port())) {
      assertThat(ada.id()).isNotBlank();
      ada.sync();
    }
  }

  @Test
  void upgradeOnAnyOtherPathIsRefused() {
    for (String path : new String[] {"/other", "/ws/x", "/index.html"}) {
      try (RawWebSocket raw = RawWebSocket.connect(node.port(), path)) {
        assertThat(raw.status()).as(path).isNotEqualTo(101).isGreaterThanOrEqualTo(400);
      }
    }
  }

  @Test
  void plainGetOnRootServesTheWebApp() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/")).timeout(TestClient.TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    try (var packaged = TransportTest.class.getResourceAsStream("/web/index.html")) {
      assertThat(packaged).as("web/index.html on the classpath").isNotNull();
      assertThat(response.body()).isEqualTo(new String(packaged.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void compressionIsNotNegotiatedEvenWhenTheClientOffersIt() {
    try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws",
        Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits, x-webkit-deflate-frame"), 0)) {
      assertThat(raw.status()).isEqualTo(101);
      assertThat(raw.header("Sec-WebSocket-Extensions")).isNull();
      assertThat(raw.expect("connected").getString("clientId")).isNotBlank();
    }
  }

  @Test
  void aCompressedFrameIsRefusedAndTheConnectionClosed() {
    try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
      raw.expect("connected");
      // RSV1 marks a permessage-deflate frame; no extension was negotiated, so it is a protocol error
      raw.sendFrame(true, 4, RawWebSocket.OP_TEXT, new byte[] {(byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0});
      assertThat(raw.awaitClose(TestClient.TIMEOUT)).isEqualTo(1002);
    }
  }

  @Test
  void aMessageOfMaxPlusOneBytesGetsTooLargeAndClose1009() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws")) {
      ada.sendText(jsonOfSize(MAX + 1));
      JsonObject error = ada.expectError("too-large");
      assertThat(error.getString("message")).isNotBlank();
      assertThat(ada.awaitClose()).isEqualTo(1009);
    }
  }

  @Test
  void aMessageOfExactlyMaxBytesIsAccepted() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws")) {
      ada.sendText(jsonOfSize(MAX));
      ada.expect("pong");
      assertThat(ada.isClosed()).isFalse();
    }
  }

  @Test
  void aTooLargeMessageSplitIntoSmallFragmentsGetsTooLargeAndClose1009() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws")) {
      String text = jsonOfSize(MAX + 1);
      int fragment = 1000;
      String[] parts = new String[(text.length() + fragment - 1) / fragment];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = text.substring(i * fragment, Math.min(text.length(), (i + 1) * fragment));
      }
      ada.sendFragments(parts);
      ada.expectError("too-large");
      assertThat(ada.awaitClose()).isEqualTo(1009);
    }
  }

  @Test
  void aFragmentedMessageWithinTheLimitIsReassembled() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws")) {
      ada.sendFragments("{\"type\":", "\"pi", "ng\"}");
      ada.expect("pong");
    }
  }

  @Test
  void aFrameHeaderAnnouncingAHugePayloadIsClosedWith1009WithoutWaitingForThePayload() {
    try (RawWebSocket raw = RawWebSocket.connect(node.port(), "/ws")) {
      raw.expect("connected");
      raw.sendFrameHeader(RawWebSocket.OP_TEXT, 1L << 40);
      assertThat(raw.expect("error").getString("code")).isEqualTo("too-large");
      assertThat(raw.awaitClose(TestClient.TIMEOUT)).isEqualTo(1009);
    }
  }

  @Test
  void aBinaryFrameGetsAnErrorAndClose1003() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws")) {
      ada.sendBinary("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      JsonObject error = ada.expect("error");
      assertThat(error.getString("message")).isNotBlank();
      assertThat(ada.awaitClose()).isEqualTo(1003);
    }
  }

  @Test
  void pingMessageGetsPong() {
    try (TestClient ada = TestClient.connect("ws://127.0.0.1:" + node.port() + "/ws")) {
      ada.send(new JsonObject().put("type", "ping"));
      assertThat(ada.expect("pong").fieldNames()).containsExactly("type");
    }
  }

  /** A valid JSON object of exactly {@code size} bytes. */
  static String jsonOfSize(int size) {
    String head = "{\"type\":\"ping\",\"pad\":\"";
    String tail = "\"}";
    char[] pad = new char[size - head.length() - tail.length()];
    Arrays.fill(pad, 'x');
    return head + new String(pad) + tail;
  }
}
