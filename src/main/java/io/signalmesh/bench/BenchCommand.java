package io.signalmesh.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code signalmesh bench <relay|connections|join|churn>}: the project's load generator, for
 * any deployment of the signaling protocol (one node, a cluster, a load balancer, the tutorial's
 * server). Progress goes to stderr, the results as one JSON line to stdout.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Load generator: relay, connections, join, churn (one JSON line of results on stdout)",
    subcommands = {RelayCommand.class, ConnectionsCommand.class, JoinCommand.class, ChurnCommand.class})
public final class BenchCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing scenario: relay, connections, join or churn");
  }
}
