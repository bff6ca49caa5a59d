package io.signalmesh.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The {@code connected} frame, written as text: what a client parses is what protocol.md says. */
class ConnectedMessageTest {

  private static final String ICE = new JsonArray().add(new JsonObject().put("urls", new JsonArray().add("stun:a"))).encode();

  @Test
  void aNewSessionGetsItsIdsIceServersAndProtocolVersion() {
    JsonObject connected = new JsonObject(ServerMessages.connected(new ClientId("Yx3fQm9kT2sVb8LpW1aZcQ"),
        "tok_en-123", ICE, false));

    assertThat(connected).isEqualTo(new JsonObject().put("type", "connected").put("clientId", "Yx3fQm9kT2sVb8LpW1aZcQ")
        .put("sessionToken", "tok_en-123").put("iceServers", new JsonArray(ICE))
        .put("protocol", ServerMessages.PROTOCOL_VERSION));
  }

  @Test
  void aResumedSessionIsMarkedResumed() {
    JsonObject connected = new JsonObject(ServerMessages.connected(new ClientId("id"), "token", "[]", true));

    assertThat(connected.getBoolean("resumed")).isTrue();
  }

  @Test
  void idsThatNeedEscapingStayValidJson() {
    JsonObject connected = new JsonObject(ServerMessages.connected(new ClientId("a\"b\\c\u0001"), "t\"", "[]", false));

    assertThat(connected.getString("clientId")).isEqualTo("a\"b\\c\u0001");
    assertThat(connected.getString("sessionToken")).isEqualTo("t\"");
  }
}
