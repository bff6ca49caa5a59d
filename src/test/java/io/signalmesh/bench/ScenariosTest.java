package io.signalmesh.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** connections, join and churn complete against a started node and count what they did. */
@Timeout(60)
class ScenariosTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--rate-limit", "10000", "--rate-burst", "10000");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private static Harness harness(int connections) {
    Harness.Settings common = new Harness.Settings(
        Targets.of(List.of("ws://127.0.0.1:" + node.port() + "/ws"), false), 2, false, Duration.ofSeconds(10), 500, 100,
        new ProcessProbe(List.of(ProcessHandle.current().pid())), RelayScenarioTest.QUIET);
    return Harness.start(common, connections);
  }

  @Test
  void connectionsAreHeldAndMeasured() {
    try (Harness harness = harness(50)) {
      JsonObject report = new ConnectionsScenario(harness, new ConnectionsScenario.Settings(40, Duration.ofMillis(200))).run();

      assertThat(report.getLong("established")).as(report.encode()).isEqualTo(40);
      assertThat(report.getLong("openAfterHold")).isEqualTo(40);
      assertThat(report.getJsonObject("failures")).isEmpty();
      assertThat(report.getJsonObject("connectMs").getLong("count")).isEqualTo(40);
      assertThat(report.getJsonObject("server").containsKey("rssKbPerConnection")).isTrue();
      assertThat(report.containsKey("error")).isFalse();
    }
  }

  @Test
  void aRefusedTargetIsAFailureWithItsReason() {
    Harness.Settings common = new Harness.Settings(Targets.of(List.of("ws://127.0.0.1:1/ws"), false), 1, false,
        Duration.ofSeconds(5), 500, 10, new ProcessProbe(List.of()), RelayScenarioTest.QUIET);
    try (Harness harness = Harness.start(common, 10)) {
      JsonObject report = new ConnectionsScenario(harness, new ConnectionsScenario.Settings(3, Duration.ZERO)).run();

      assertThat(report.getJsonObject("failures").getLong("refused")).as(report.encode()).isEqualTo(3);
      assertThat(report.getString("error")).isEqualTo("3 connections failed");
    }
  }

  // Rooms of one: members of one room joining at the same moment on two event loops can deadlock
  // the node (Session.serially holds one session's monitor while delivering to the other's);
  // docs/benchmarks.md has the reproduction. These tests are about the load generator.
  @Test
  void aJoinBurstJoinsEveryClientOnce() {
    try (Harness harness = harness(40)) {
      JsonObject report = new JoinScenario(harness,
          new JoinScenario.Settings(30, 1, JoinScenario.Mode.burst, 0, Duration.ZERO)).run();

      assertThat(report.getLong("joins")).as(report.encode()).isEqualTo(30);
      assertThat(report.getJsonObject("latencyMs").getLong("count")).isEqualTo(30);
      assertThat(report.getJsonObject("failures")).isEmpty();
    }
  }

  @Test
  void steadyJoinsLeaveTheirPreviousRoom() {
    try (Harness harness = harness(20)) {
      JsonObject report = new JoinScenario(harness,
          new JoinScenario.Settings(10, 1, JoinScenario.Mode.steady, 50, Duration.ofMillis(500))).run();

      // 10 clients, 25 joins: each client joins a second and third room after leaving the one before
      assertThat(report.getLong("joins")).as(report.encode()).isGreaterThan(10);
      assertThat(report.getJsonObject("failures")).isEmpty();
      assertThat(report.getJsonObject("errors")).isEmpty();
    }
  }

  @Test
  void churnCompletesCallSetUpsWithTheRightSenders() {
    try (Harness harness = harness(100)) {
      JsonObject report = new ChurnScenario(harness, new ChurnScenario.Settings(20, Duration.ofMillis(500), 3, 300, false)).run();

      assertThat(report.getLong("started")).as(report.encode()).isPositive();
      assertThat(report.getLong("completed")).isEqualTo(report.getLong("started"));
      assertThat(report.getJsonObject("setupMs").getLong("count")).isEqualTo(report.getLong("completed"));
      assertThat(report.getLong("wrongSender")).isZero();
      assertThat(report.getJsonObject("failures")).isEmpty();
      assertThat(report.getJsonObject("errors")).isEmpty();
    }
  }

  @Test
  void churnSetUpsOfTheWarmUpAreNotCountedInTheWindow() {
    try (Harness harness = harness(100)) {
      JsonObject report = new ChurnScenario(harness,
          new ChurnScenario.Settings(20, Duration.ofMillis(500), Duration.ofMillis(500), 2, 100, false)).run();

      JsonObject warmup = report.getJsonObject("warmup");
      assertThat(warmup.getLong("completed")).as(report.encode()).isPositive();
      assertThat(warmup.getJsonObject("failures")).isEmpty();
      // 20/s for 0.5 s in the window: 10 set-ups, not the 20 of warm-up and window together
      assertThat(report.getLong("started")).isBetween(9L, 11L);
      assertThat(report.getLong("completed")).isEqualTo(report.getLong("started"));
      assertThat(report.getJsonObject("setupMs").getLong("count")).isEqualTo(report.getLong("completed"));
      assertThat(report.getJsonObject("loadGenerator").getDouble("cpuUsPerSetup")).isPositive();
      assertThat(report.getJsonObject("server").getDouble("cpuUsPerSetup")).isPositive();
    }
  }
}
