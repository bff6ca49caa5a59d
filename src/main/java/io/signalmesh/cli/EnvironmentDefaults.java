package io.signalmesh.cli;

import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every flag has an environment variable of the same meaning: {@code --redis-timeout} reads
 * {@code SIGNALMESH_REDIS_TIMEOUT} (operator-contract.md). A flag on the command line wins.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {

  private final Function<String, String> environment;

  EnvironmentDefaults(Function<String, String> environment) {
    this.environment = environment;
  }

  static String variableFor(String longOption) {
    return "SIGNALMESH_" + longOption.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec option)) {
      return null;
    }
    String value = environment.apply(variableFor(option.longestName()));
    return value == null || value.isEmpty() ? null : value;
  }
}
