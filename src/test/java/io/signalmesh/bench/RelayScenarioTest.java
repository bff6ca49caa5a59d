package io.signalmesh.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bench relay} counts what a server really does: nothing to report against a started
 * node, and each kind of misbehaviour of a deliberately broken relay exactly as often as it
 * happened. Every frame is measured (no warm-up), so the broken server's own count is the
 * expected figure.
 */
@Timeout(60)
class RelayScenarioTest {

  static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  static JsonObject relay(String url, int clients, int roomSize, double rate, Duration window, Duration drain) {
    Harness.Settings common = new Harness.Settings(Targets.of(List.of(url), false), 2, false, Duration.ofSeconds(10),
        1000, 100, new ProcessProbe(List.of()), QUIET);
    try (Harness harness = Harness.start(common, clients + 4)) {
      return new RelayScenario(harness, new RelayScenario.Settings(clients, roomSize, rate, Duration.ZERO, window, drain, 330)).run();
    }
  }

  @Test
  void aNodeDeliversEveryFrameOnceInOrderFromItsRealSender() {
    try (TestNode node = TestNode.start("--rate-limit", "10000", "--rate-burst", "10000")) {
      JsonObject report = relay("ws://127.0.0.1:" + node.port() + "/ws", 12, 3, 1200, Duration.ofSeconds(1), Duration.ofSeconds(10));

      assertThat(report.containsKey("error")).as(report.encode()).isFalse();
      assertThat(report.getLong("sent")).isGreaterThan(500);
      assertThat(report.getLong("delivered")).isEqualTo(report.getLong("sent"));
      assertThat(report.getLong("lost")).isZero();
      assertThat(report.getLong("duplicated")).isZero();
      assertThat(report.getLong("outOfOrder")).isZero();
      assertThat(report.getLong("wrongSender")).isZero();
      assertThat(report.getLong("unstamped")).isZero();
      assertThat(report.getJsonObject("latencyMs").getLong("count")).isEqualTo(report.getLong("sent"));
      assertThat(report.getJsonObject("errors")).isEmpty();
    }
  }

  @Test
  void errorFramesAreCountedByCode() {
    // a limit of 1 frame/s after a burst of 5, against 100 frames/s per client
    try (TestNode node = TestNode.start("--rate-limit", "1", "--rate-burst", "5")) {
      JsonObject report = relay("ws://127.0.0.1:" + node.port() + "/ws", 4, 2, 400, Duration.ofSeconds(1), Duration.ofSeconds(2));

      assertThat(report.getJsonObject("errors").getLong("rate-limited", 0L)).as(report.encode()).isPositive();
      assertThat(report.getLong("lost")).isPositive();
    }
  }

  @Test
  void clientsSendOnlyOnceToldOfTheirRoomMates() throws Exception {
    try (MisbehavingRelay server = MisbehavingRelay.start(MisbehavingRelay.Fault.LATE_NEWS)) {
      JsonObject report = relay(server.url(), 10, 2, 1000, Duration.ofMillis(200), Duration.ofSeconds(1));

      assertThat(report.getJsonObject("errors").getMap()).as(report.encode()).isEmpty();
      assertThat(report.getLong("sent")).isPositive();
      assertThat(report.getLong("lost")).isZero();
    }
  }

  @Test
  void aServerThatDropsFramesShowsThemLost() throws Exception {
    try (MisbehavingRelay server = MisbehavingRelay.start(MisbehavingRelay.Fault.DROP)) {
      JsonObject report = relay(server.url(), 10, 2, 1000, Duration.ofMillis(500), Duration.ofSeconds(1));

      assertThat(server.faults()).isPositive();
      assertThat(report.getLong("lost")).as(report.encode()).isEqualTo(server.faults());
      assertThat(report.getLong("delivered")).isEqualTo(report.getLong("sent") - server.faults());
      assertThat(report.getLong("outOfOrder")).isZero();
      assertThat(report.getLong("duplicated")).isZero();
    }
  }

  @Test
  void aServerThatSwapsFramesShowsThemOutOfOrder() throws Exception {
    try (MisbehavingRelay server = MisbehavingRelay.start(MisbehavingRelay.Fault.SWAP)) {
      JsonObject report = relay(server.url(), 10, 2, 1000, Duration.ofMillis(500), Duration.ofSeconds(1));

      assertThat(server.faults()).isPositive();
      assertThat(report.getLong("outOfOrder")).as(report.encode()).isEqualTo(server.faults());
      assertThat(report.getLong("lost")).isEqualTo(server.stillHeld());
      assertThat(report.getLong("duplicated")).isZero();
    }
  }

  @Test
  void aServerThatRepeatsFramesShowsThemDuplicated() throws Exception {
    try (MisbehavingRelay server = MisbehavingRelay.start(MisbehavingRelay.Fault.DUPLICATE)) {
      JsonObject report = relay(server.url(), 10, 2, 1000, Duration.ofMillis(500), Duration.ofSeconds(10));

      assertThat(server.faults()).isPositive();
      assertThat(report.getLong("duplicated")).as(report.encode()).isEqualTo(server.faults());
      assertThat(report.getLong("lost")).isZero();
      assertThat(report.getLong("outOfOrder")).isZero();
    }
  }

  @Test
  void aServerThatSetsAWrongSenderIdIsCaught() throws Exception {
    try (MisbehavingRelay server = MisbehavingRelay.start(MisbehavingRelay.Fault.WRONG_SENDER)) {
      JsonObject report = relay(server.url(), 10, 2, 1000, Duration.ofMillis(500), Duration.ofSeconds(10));

      assertThat(server.faults()).isPositive();
      assertThat(report.getLong("wrongSender")).as(report.encode()).isEqualTo(server.faults());
      assertThat(report.getLong("lost")).isZero();
    }
  }
}
