package io.signalmesh.bench;

import io.signalmesh.cli.DurationConverter;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench connections}. */
@Command(name = "connections", mixinStandardHelpOptions = true,
    description = "Opens idle WebSockets at the connect rate and holds them: failures, connect rate, RSS per connection")
final class ConnectionsCommand extends ScenarioCommand {

  @Option(names = "--connections", defaultValue = "1000", description = "WebSockets to open (default: ${DEFAULT-VALUE})")
  int connections;

  @Option(names = "--hold", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long to hold them once open (default: ${DEFAULT-VALUE})")
  Duration hold;

  private ConnectionsScenario.Settings settings;

  @Override
  void validate() {
    settings = new ConnectionsScenario.Settings(connections, hold);
  }

  @Override
  int connections() {
    return connections;
  }

  @Override
  JsonObject run(Harness harness) {
    return new ConnectionsScenario(harness, settings).run();
  }
}
