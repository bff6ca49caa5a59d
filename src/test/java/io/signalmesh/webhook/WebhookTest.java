package io.signalmesh.webhook;

import static io.signalmesh.webhook.WebhookReceiver.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhooks of a single node with in-memory presence, POSTed to real HTTP receivers that check
 * every signature: what an app that mirrors rooms and participants relies on.
 */
@Timeout(60)
class WebhookTest {

  static final String SECRET = "a-webhook-secret-for-the-tests";
  private static final Duration ARRIVAL = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  @Test
  void aReceiverGetsRoomAndParticipantEventsSignedWithTheSecret() {
    WebhookReceiver receiver = receiver();
    TestNode node = node("--webhook-url", receiver.url());
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("wh-room", "Ada");
      bob.join("wh-room", "Bob");
      bob.send(new JsonObject().put("type", "leave-room").put("roomId", "wh-room"));
      ada.expect("participant-left");
      ada.closeNormally();

      receiver.awaitEvent("room-finished", ARRIVAL, event("room-finished", "wh-room"));
      List<JsonObject> events = receiver.awaitEvents(6, ARRIVAL);

      assertThat(events).hasSize(6);
      assertThat(events).filteredOn(event("room-started", "wh-room")).hasSize(1);
      JsonObject adaJoined = only(events, event("participant-joined", "wh-room", ada.id()));
      assertThat(adaJoined.getString("name")).isEqualTo("Ada");
      assertThat(adaJoined.getString("node")).isEqualTo(node.nodeId());
      assertThat(only(events, event("participant-joined", "wh-room", bob.id())).getString("name")).isEqualTo("Bob");
      JsonObject bobLeft = only(events, event("participant-left", "wh-room", bob.id()));
      assertThat(bobLeft.getString("reason")).isEqualTo("left");
      assertThat(bobLeft.getString("node")).isEqualTo(node.nodeId());
      assertThat(only(events, event("participant-left", "wh-room", ada.id())).getString("reason")).isEqualTo("left");
      assertThat(events).filteredOn(event("room-finished", "wh-room")).hasSize(1);
      assertThat(events).extracting(e -> e.getString("id")).doesNotHaveDuplicates().allMatch(id -> id.length() == 36);
      assertThat(events).allSatisfy(e -> assertThat(Instant.parse(e.getString("createdAt"))).isBefore(Instant.now().plusSeconds(1)));
      assertThat(receiver.deliveries()).allSatisfy(delivery -> {
        assertThat(delivery.signatureValid()).as("signature of " + delivery.body()).isTrue();
        assertThat(delivery.header("Content-Type")).isEqualTo("application/json");
        assertThat(delivery.header("X-Signalmesh-Event-Id")).isEqualTo(delivery.event().getString("id"));
        assertThat(delivery.header("X-Signalmesh-Event")).isEqualTo(delivery.event().getString("type"));
      });
    }
  }

  @Test
  void participantLeftSaysWhyTheParticipantLeft() {
    WebhookReceiver receiver = receiver();
    TestNode node = node("--webhook-url", receiver.url(), "--resume-grace", "1");
    try (TestClient stays = node.connect(); TestClient dropped = node.connect(); TestClient kicked = node.connect();
        TestClient closed = node.connect()) {
      stays.join("why-room");
      dropped.join("why-room");
      kicked.join("why-room");
      closed.join("closed-room");

      dropped.dropConnection();
      assertThat(admin("DELETE", "/admin/rooms/why-room/participants/" + kicked.id())).isEqualTo(200);
      assertThat(admin("DELETE", "/admin/rooms/closed-room")).isEqualTo(200);

      assertThat(receiver.awaitEvent("dropped left", ARRIVAL, event("participant-left", "why-room", dropped.id()))
          .getString("reason")).isEqualTo("disconnected");
      assertThat(receiver.awaitEvent("kicked left", ARRIVAL, event("participant-left", "why-room", kicked.id()))
          .getString("reason")).isEqualTo("kicked");
      assertThat(receiver.awaitEvent("closed left", ARRIVAL, event("participant-left", "closed-room", closed.id()))
          .getString("reason")).isEqualTo("room-closed");
      receiver.awaitEvent("closed room finished", ARRIVAL, event("room-finished", "closed-room"));
      assertThat(receiver.events()).noneMatch(event("room-finished", "why-room"));
    }
  }

  @Test
  void everyUrlGetsEveryEvent() {
    WebhookReceiver first = receiver();
    WebhookReceiver second = receiver();
    TestNode node = node("--webhook-url", first.url(), "--webhook-url", second.url());
    try (TestClient ada = node.connect()) {
      ada.join("two-urls");
      ada.closeNormally();

      List<JsonObject> toFirst = first.awaitEvents(4, ARRIVAL);
      List<JsonObject> toSecond = second.awaitEvents(4, ARRIVAL);

      assertThat(toFirst).extracting(e -> e.getString("type"))
          .containsExactlyInAnyOrder("room-started", "participant-joined", "participant-left", "room-finished");
      assertThat(toSecond).extracting(e -> e.getString("id"))
          .containsExactlyInAnyOrderElementsOf(toFirst.stream().map(e -> e.getString("id")).toList());
    }
  }

  @Test
  void eventsWaitWhileTheReceiverIsDownAndAllArriveWhenItIsBack() throws Exception {
    WebhookReceiver receiver = receiver();
    receiver.stop();
    TestNode node = node("--webhook-url", receiver.url());
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("outage");
      bob.join("outage");
      bob.closeNormally();
      Wait.until("failed attempts to show in the metrics", ARRIVAL,
          () -> value(scrape(node), "signalmesh_webhook_failed_attempts_total") > 0);
      ada.closeNormally();

      receiver.start();

      List<JsonObject> events = receiver.awaitEvents(6, Duration.ofSeconds(30));
      assertThat(events).extracting(e -> e.getString("type")).containsExactlyInAnyOrder("room-started",
          "participant-joined", "participant-joined", "participant-left", "participant-left", "room-finished");
      Wait.until("the backlog metric to drop to 0", ARRIVAL,
          () -> value(scrape(node), "signalmesh_webhook_backlog") == 0);
      assertThat(value(scrape(node), "signalmesh_webhook_delivered_total")).isEqualTo(6);
    }
  }

  private WebhookReceiver receiver() {
    WebhookReceiver receiver = new WebhookReceiver(SECRET).start();
    started.add(receiver);
    return receiver;
  }

  private TestNode node(String... flags) {
    List<String> all = new ArrayList<>(List.of("--webhook-secret", SECRET));
    all.addAll(List.of(flags));
    TestNode node = TestNode.start(all.toArray(String[]::new));
    started.add(0, node);
    return node;
  }

  private static JsonObject only(List<JsonObject> events, java.util.function.Predicate<JsonObject> match) {
    List<JsonObject> found = events.stream().filter(match).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private int admin(String method, String path) {
    TestNode node = (TestNode) started.get(0);
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + path))
          .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String scrape(TestNode node) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The value of the first series with this name (any labels). */
  private static double value(String metrics, String name) {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    return matcher.find() ? Double.parseDouble(matcher.group(2)) : -1;
  }
}
