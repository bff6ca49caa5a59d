package io.signalmesh.cli;

import io.signalmesh.bench.BenchCommand;
import io.signalmesh.logging.LogSetup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar signalmesh.jar <serve|token|bench>}. */
@Command(name = "signalmesh", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "A horizontally scaled WebRTC signaling mesh",
    subcommands = {ServeCommand.class, TokenCommand.class, BenchCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    int exitCode = commandLine(System::getenv).execute(args);
    // logs are written by a worker thread (logback.xml): write out what is queued before exiting
    LogSetup.stop();
    System.exit(exitCode);
  }

  static CommandLine commandLine(java.util.function.Function<String, String> environment) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.getSubcommands().get("serve").setDefaultValueProvider(new EnvironmentDefaults(environment));
    return commandLine;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"signalmesh " + (version == null ? "dev" : version)};
    }
  }
}
