package io.signalmesh.bench;

import io.signalmesh.cli.DurationConverter;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench churn}. */
@Command(name = "churn", mixinStandardHelpOptions = true,
    description = "Call set-ups (connect, join, offer/answer/candidates, leave) at a fixed rate: set-ups/s and set-up time")
final class ChurnCommand extends ScenarioCommand {

  @Option(names = "--rate", defaultValue = "100", description = "Call set-ups started per second (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--warmup", defaultValue = "0s", converter = DurationConverter.class,
      description = "Set-ups at the same rate before the measured window, not counted in it (default: ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class,
      description = "How long new calls start in the measured window (default: ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--candidates", defaultValue = "4", description = "Candidates each side sends (default: ${DEFAULT-VALUE})")
  int candidates;

  @Option(names = "--sdp-bytes", defaultValue = "1500", description = "Size of the offer's and answer's SDP (default: ${DEFAULT-VALUE})")
  int sdpBytes;

  @Option(names = "--simultaneous-hang-up",
      description = "Both sides leave at the same moment (default: the callee leaves when it sees the caller leave)")
  boolean simultaneousHangUp;

  private ChurnScenario.Settings settings;

  @Override
  void validate() {
    settings = new ChurnScenario.Settings(rate, warmup, duration, candidates, sdpBytes, simultaneousHangUp);
  }

  @Override
  int connections() {
    return (int) Math.min(100_000, Math.max(64, 2 * rate * 10));
  }

  @Override
  JsonObject run(Harness harness) {
    return new ChurnScenario(harness, settings).run();
  }
}
