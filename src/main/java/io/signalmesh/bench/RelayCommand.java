package io.signalmesh.bench;

import io.signalmesh.cli.DurationConverter;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench relay}. */
@Command(name = "relay", mixinStandardHelpOptions = true,
    description = "Clients in rooms send ice-candidate-sized frames to their room mates at a fixed total rate")
final class RelayCommand extends ScenarioCommand {

  @Option(names = "--clients", defaultValue = "200", description = "Clients (default: ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--room-size", defaultValue = "2", description = "Clients per room (default: ${DEFAULT-VALUE})")
  int roomSize;

  @Option(names = "--rate", defaultValue = "5000", description = "Frames per second, all clients together (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
      description = "Sending before the measured window (default: ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class,
      description = "The measured window (default: ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--drain", defaultValue = "5s", converter = DurationConverter.class,
      description = "How long to wait after the window for frames still in flight (default: ${DEFAULT-VALUE})")
  Duration drain;

  @Option(names = "--frame-bytes", defaultValue = "330", description = "Size of a sent frame (default: ${DEFAULT-VALUE})")
  int frameBytes;

  private RelayScenario.Settings settings;

  @Override
  void validate() {
    settings = new RelayScenario.Settings(clients, roomSize, rate, warmup, duration, drain, frameBytes);
  }

  @Override
  int connections() {
    return clients;
  }

  @Override
  JsonObject run(Harness harness) {
    return new RelayScenario(harness, settings).run();
  }
}
