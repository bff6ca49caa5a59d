package io.signalmesh.bench;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the four scenario commands share: the common options, the harness around the run, and
 * the one JSON line on stdout (exit code 1 when the run could not be carried out).
 */
abstract class ScenarioCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  CommonOptions common = new CommonOptions();

  /** Validates this scenario's options (an IllegalArgumentException names the option). */
  abstract void validate();

  /** The most connections the run holds at once. */
  abstract int connections();

  abstract JsonObject run(Harness harness);

  @Override
  public Integer call() {
    Harness.Settings settings;
    try {
      validate();
      settings = common.settings(System.err);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    BenchLogging.toStderr();
    JsonObject report;
    try (Harness harness = Harness.start(settings, connections() + 16)) {
      report = run(harness);
    }
    spec.commandLine().getOut().println(report.encode());
    spec.commandLine().getOut().flush();
    return report.containsKey("error") ? 1 : 0;
  }
}
