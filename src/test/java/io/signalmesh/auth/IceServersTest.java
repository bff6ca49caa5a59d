package io.signalmesh.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class IceServersTest {

  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
  private static final ClientId CLIENT = new ClientId("Yx3fQm9kT2sVb8LpW1aZcQ");
  private static final TurnCredentials TURN = new TurnCredentials(
      "coturn-static-auth-secret".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1), CLOCK);

  @Test
  void theEncodedArrayIsTheArrayForEveryClientWithoutTurnCredentials() {
    IceServers servers = IceServers.builder().stunUrls(List.of("stun:stun.example.org:3478")).build();

    assertThat(new JsonArray(servers.encodedFor(CLIENT))).isEqualTo(servers.forClient(CLIENT));
    assertThat(new JsonArray(servers.encodedFor(new ClientId("another")))).isEqualTo(servers.forClient(CLIENT));
  }

  @Test
  void theEncodedArrayCarriesTheClientsOwnTurnCredential() {
    IceServers servers = IceServers.builder().turnUrls(List.of("turn:turn.example.org")).turnCredentials(TURN).build();

    assertThat(new JsonArray(servers.encodedFor(CLIENT))).isEqualTo(servers.forClient(CLIENT));
    assertThat(new JsonArray(servers.encodedFor(new ClientId("another"))).getJsonObject(0).getString("username"))
        .isEqualTo("1700003600:another");
  }

  @Test
  void isEmptyWhenNothingIsConfigured() {
    assertThat(IceServers.builder().build().forClient(CLIENT)).isEqualTo(new JsonArray());
  }

  @Test
  void listsStunUrlsInOneEntryWithoutCredentials() {
    IceServers servers = IceServers.builder()
        .stunUrls(List.of("stun:stun.example.org:3478", "stuns:stun.example.org:5349"))
        .build();

    assertThat(servers.forClient(CLIENT)).isEqualTo(new JsonArray().add(new JsonObject()
        .put("urls", new JsonArray().add("stun:stun.example.org:3478").add("stuns:stun.example.org:5349"))));
  }

  @Test
  void givesTurnUrlsAShortLivedCredentialForTheClient() {
    IceServers servers = IceServers.builder()
        .stunUrls(List.of("stun:turn.example.org"))
        .turnUrls(List.of("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"))
        .turnCredentials(TURN)
        .build();

    JsonArray expected = new JsonArray()
        .add(new JsonObject().put("urls", new JsonArray().add("stun:turn.example.org")))
        .add(new JsonObject()
            .put("urls", new JsonArray().add("turn:turn.example.org:3478?transport=udp").add("turns:turn.example.org:5349"))
            .put("username", "1700003600:Yx3fQm9kT2sVb8LpW1aZcQ")
            .put("credential", "mynMOubIbkvI3NrdMRWCmu5PB/o="));
    assertThat(servers.forClient(CLIENT)).isEqualTo(expected);
  }

  @Test
  void leavesTurnUrlsOutWithoutATurnSecret() {
    IceServers servers = IceServers.builder()
        .stunUrls(List.of("stun:stun.example.org"))
        .turnUrls(List.of("turn:turn.example.org"))
        .build();

    assertThat(servers.forClient(CLIENT)).isEqualTo(new JsonArray()
        .add(new JsonObject().put("urls", new JsonArray().add("stun:stun.example.org"))));
    assertThat(servers.dropsTurnUrls()).isTrue();
  }

  @Test
  void turnWithASecretIsNotReportedAsDropped() {
    IceServers servers = IceServers.builder().turnUrls(List.of("turn:t.example.org")).turnCredentials(TURN).build();

    assertThat(servers.dropsTurnUrls()).isFalse();
  }

  @Test
  void eachClientGetsItsOwnCredential() {
    IceServers servers = IceServers.builder().turnUrls(List.of("turn:t.example.org")).turnCredentials(TURN).build();

    String first = servers.forClient(CLIENT).getJsonObject(0).getString("username");
    String second = servers.forClient(new ClientId("another")).getJsonObject(0).getString("username");

    assertThat(first).endsWith(":Yx3fQm9kT2sVb8LpW1aZcQ");
    assertThat(second).isEqualTo("1700003600:another");
  }

  @Test
  void changingAReturnedArrayDoesNotChangeTheNextOne() {
    IceServers servers = IceServers.builder().stunUrls(List.of("stun:s.example.org")).build();

    servers.forClient(CLIENT).getJsonObject(0).getJsonArray("urls").add("stun:evil.example.org");

    assertThat(servers.forClient(CLIENT).getJsonObject(0).getJsonArray("urls")).hasSize(1);
  }

  @Test
  void refusesATurnUrlAmongTheStunUrls() {
    assertThatThrownBy(() -> IceServers.builder().stunUrls(List.of("turn:t.example.org")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("STUN URL 'turn:t.example.org'");
  }

  @Test
  void refusesATurnUrlWithoutScheme() {
    assertThatThrownBy(() -> IceServers.builder().turnUrls(List.of("t.example.org:3478")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TURN URL 't.example.org:3478'");
  }

  @Test
  void refusesAUrlWithoutHost() {
    assertThatThrownBy(() -> IceServers.builder().turnUrls(List.of("turns:")).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
