package io.signalmesh.deploy;

import io.signalmesh.cli.ServeCommand;
import io.signalmesh.config.ServerConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What {@code serve} reads from the environment, from its own picocli model. */
final class ServeFlags {

  private ServeFlags() {}

  /** SIGNALMESH_ + every serve flag in upper snake case (README.md, Configuration). */
  static Set<String> environmentVariables() {
    return new CommandLine(new ServeCommand()).getCommandSpec().options().stream()
        .filter(option -> !option.usageHelp() && !option.versionHelp())
        .map(OptionSpec::longestName)
        .map(flag -> "SIGNALMESH_" + flag.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT))
        .collect(Collectors.toSet());
  }

  /** The config serve would run with in this environment and no arguments (throws for a bad value, naming the flag). */
  static ServerConfig parse(Map<String, String> environment) {
    return ServeCommand.parse(environment::get);
  }
}
