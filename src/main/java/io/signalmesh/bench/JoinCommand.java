package io.signalmesh.bench;

import io.signalmesh.cli.DurationConverter;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench join}. */
@Command(name = "join", mixinStandardHelpOptions = true,
    description = "Join latency and joins per second, all at once (burst) or paced (steady)")
final class JoinCommand extends ScenarioCommand {

  @Option(names = "--clients", defaultValue = "1000", description = "Clients (default: ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--room-size", defaultValue = "2", description = "Clients per room (default: ${DEFAULT-VALUE})")
  int roomSize;

  @Option(names = "--mode", defaultValue = "burst", description = "burst or steady (default: ${DEFAULT-VALUE})")
  JoinScenario.Mode mode;

  @Option(names = "--rate", defaultValue = "1000", description = "Joins per second in steady mode (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long steady mode joins (default: ${DEFAULT-VALUE})")
  Duration duration;

  private JoinScenario.Settings settings;

  @Override
  void validate() {
    settings = new JoinScenario.Settings(clients, roomSize, mode, rate, duration);
  }

  @Override
  int connections() {
    return clients;
  }

  @Override
  JsonObject run(Harness harness) {
    return new JoinScenario(harness, settings).run();
  }
}
