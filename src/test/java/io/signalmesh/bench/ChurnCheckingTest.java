package io.signalmesh.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bench churn} against a deliberately broken relay: a call set-up whose offer, answer or
 * candidate the server dropped is a failure counted by the stage it stopped at, and a frame with a
 * wrong senderId is counted, exactly as often as the server misbehaved.
 */
@Timeout(60)
class ChurnCheckingTest {

  private static JsonObject churn(String url) {
    // a set-up that lost a frame fails after the timeout: short, but long enough for a first
    // connect of a fresh JVM on a busy machine; the warm-up keeps that first connect out of the window
    Harness.Settings common = new Harness.Settings(Targets.of(List.of(url), false), 2, false, Duration.ofSeconds(5),
        1000, 100, new ProcessProbe(List.of()), RelayScenarioTest.QUIET);
    try (Harness harness = Harness.start(common, 100)) {
      return new ChurnScenario(harness,
          new ChurnScenario.Settings(20, Duration.ofMillis(500), Duration.ofSeconds(1), 4, 100, false)).run();
    }
  }

  @Test
  void aSetUpThatLostAFrameFailsAtItsStage() throws Exception {
    try (MisbehavingRelay server = MisbehavingRelay.start(MisbehavingRelay.Fault.DROP)) {
      JsonObject report = churn(server.url());

      // every 10th relayed frame dropped, 10 relayed frames per set-up: most set-ups lose one
      assertThat(server.faults()).as(report.encode()).isPositive();
      long failed = report.getJsonObject("failures").getMap().values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
      assertThat(failed).isPositive().isLessThanOrEqualTo(server.faults());
      assertThat(report.getJsonObject("failures").fieldNames())
          .allMatch(stage -> stage.equals("answer-timeout") || stage.equals("candidates-timeout") || stage.equals("offer-timeout"));
      assertThat(report.getLong("completed") + failed).isEqualTo(report.getLong("started"));
      assertThat(report.getJsonObject("setupMs").getLong("count")).isEqualTo(report.getLong("completed"));
    }
  }

  @Test
  void aWrongSenderIdIsCountedInEverySetUp() throws Exception {
    try (MisbehavingRelay server = MisbehavingRelay.start(MisbehavingRelay.Fault.WRONG_SENDER)) {
      JsonObject report = churn(server.url());

      assertThat(server.faults()).isPositive();
      // warm-up and window alike: every frame of the run is checked
      assertThat(report.getLong("wrongSender")).as(report.encode()).isEqualTo(server.faults());
      assertThat(report.getLong("completed")).isEqualTo(report.getLong("started"));
    }
  }
}
