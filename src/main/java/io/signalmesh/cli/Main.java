package io.signalmesh.cli;

import io.signalmesh.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar signalmesh.jar <serve|token|bench>}. */
@Command(name = "signalmesh", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "A horizontally scaled WebRTC signaling mesh",
    subcommands = {ServeCommand.class, TokenCommand.class, BenchCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(commandLine(System::getenv).execute(args));
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
