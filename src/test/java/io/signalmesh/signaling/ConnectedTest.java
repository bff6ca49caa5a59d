package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code connected} greeting (protocol.md, Identity): what a client learns before anything else. */
@Timeout(30)
class ConnectedTest {

  private static final String TURN_SECRET = "coturn-static-auth-secret";

  @Test
  void connectedCarriesClientIdSessionTokenIceServersAndProtocolOne() {
    try (TestNode node = TestNode.start(); TestClient ada = node.connect()) {
      JsonObject connected = ada.connected();
      assertThat(connected.getString("clientId")).isNotBlank();
      assertThat(connected.getString("sessionToken")).isNotBlank();
      assertThat(connected.getValue("iceServers")).isInstanceOf(JsonArray.class);
      assertThat(connected.getJsonArray("iceServers")).isEmpty();
      assertThat(connected.getValue("protocol")).isEqualTo(1);
      assertThat(connected.containsKey("resumed")).isFalse();
    }
  }

  @Test
  void clientIdIsUrlSafeWithAtLeast96RandomBitsAndUniquePerConnection() {
    try (TestNode node = TestNode.start(); TestClient ada = node.connect(); TestClient bob = node.connect()) {
      for (TestClient client : new TestClient[] {ada, bob}) {
        String id = client.id();
        assertThat(id).matches("[A-Za-z0-9_-]+");
        // base64url carries 6 bits a character: 16 characters are 96 bits
        assertThat(id.length()).isGreaterThanOrEqualTo(16);
        assertThat(client.sessionToken()).matches("[A-Za-z0-9_-]+").isNotEqualTo(id);
      }
      assertThat(ada.id()).isNotEqualTo(bob.id());
      assertThat(ada.sessionToken()).isNotEqualTo(bob.sessionToken());
    }
  }

  @Test
  void stunUrlsAreGivenAsOneIceServerEntry() {
    try (TestNode node = TestNode.start("--stun-urls", "stun:stun1.example.org:3478,stun:stun2.example.org");
        TestClient ada = node.connect()) {
      JsonArray iceServers = ada.connected().getJsonArray("iceServers");
      assertThat(iceServers).hasSize(1);
      JsonObject stun = iceServers.getJsonObject(0);
      assertThat(stun.getJsonArray("urls").getList())
          .containsExactly("stun:stun1.example.org:3478", "stun:stun2.example.org");
      assertThat(stun.containsKey("username")).isFalse();
      assertThat(stun.containsKey("credential")).isFalse();
    }
  }

  @Test
  void turnUrlsComeWithTurnRestCredentialsForThisClient() throws Exception {
    try (TestNode node = TestNode.start("--stun-urls", "stun:stun.example.org",
            "--turn-urls", "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349",
            "--turn-secret", TURN_SECRET);
        TestClient ada = node.connect()) {
      JsonArray iceServers = ada.connected().getJsonArray("iceServers");
      assertThat(iceServers).hasSize(2);
      JsonObject turn = iceServers.getJsonObject(1);
      assertThat(turn.getJsonArray("urls").getList())
          .containsExactly("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349");
      String username = turn.getString("username");
      assertThat(username).isEqualTo(username.substring(0, username.indexOf(':')) + ":" + ada.id());
      long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
      assertThat(expiry).isGreaterThan(Instant.now().getEpochSecond());
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(TURN_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      String expected = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
      assertThat(turn.getString("credential")).isEqualTo(expected);
    }
  }

  @Test
  void eachClientGetsItsOwnTurnCredential() {
    try (TestNode node = TestNode.start("--turn-urls", "turn:turn.example.org", "--turn-secret", TURN_SECRET);
        TestClient ada = node.connect(); TestClient bob = node.connect()) {
      String adaUser = ada.connected().getJsonArray("iceServers").getJsonObject(0).getString("username");
      String bobUser = bob.connected().getJsonArray("iceServers").getJsonObject(0).getString("username");
      assertThat(adaUser).endsWith(":" + ada.id());
      assertThat(bobUser).endsWith(":" + bob.id());
    }
  }
}
