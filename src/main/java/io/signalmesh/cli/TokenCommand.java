package io.signalmesh.cli;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.auth.RoomTokenIssuer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code signalmesh token}: mints a room token for a back end or a test, printed alone on stdout
 * so that {@code TOKEN=$(signalmesh token ...)} works.
 */
@Command(name = "token", description = "Prints a room token (HS256 JWT)")
public final class TokenCommand implements Callable<Integer> {

  /** Where the secret comes from when --secret is not given. */
  public static final String SECRET_ENV = "SIGNALMESH_SECRET";

  @Spec
  private CommandSpec spec;

  // Read from the environment in call() rather than through a picocli defaultValue, so that a
  // help screen showing default values can never print the secret.
  @Option(names = "--secret", paramLabel = "<secret>", showDefaultValue = Visibility.NEVER,
      description = "HS256 secret, at least 32 bytes; defaults to the " + SECRET_ENV
          + " environment variable, which keeps it out of the process list")
  private String secret;

  @Option(names = "--room", required = true, paramLabel = "<room>",
      description = "Room id, a room id prefix ending in *, or * for every room")
  private String room;

  @Option(names = "--identity", required = true, paramLabel = "<identity>",
      description = "Who holds the token (the sub claim)")
  private String identity;

  @Option(names = "--name", paramLabel = "<name>", description = "Display name")
  private String name;

  @Option(names = "--ttl", defaultValue = "1h", converter = DurationConverter.class,
      paramLabel = "<duration>",
      description = "How long the token is accepted: 90s, 15m, 1h, 2d or plain seconds (default: ${DEFAULT-VALUE})")
  private Duration ttl;

  @Option(names = "--capacity", paramLabel = "<n>",
      description = "Room capacity the token asks for (default: the server's)")
  private Integer capacity;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit")
  private boolean help;

  private final Function<String, String> environment;
  private final Clock clock;

  public TokenCommand() {
    this(System::getenv, Clock.systemUTC());
  }

  /** For tests: a stand-in environment and clock. */
  public TokenCommand(Function<String, String> environment, Clock clock) {
    this.environment = Objects.requireNonNull(environment, "environment");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Integer call() {
    byte[] key = secretBytes();
    if (!RoomToken.isValidRoomClaim(room)) {
      throw invalid("--room", "must be a room id of [A-Za-z0-9_.:-] (1-128), a prefix ending in *, or *");
    }
    if (identity.isEmpty()) {
      throw invalid("--identity", "must not be empty");
    }
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw invalid("--ttl", "must be at least one second");
    }
    if (capacity != null && capacity < 1) {
      throw invalid("--capacity", "must be at least 1");
    }
    RoomTokenIssuer issuer;
    try {
      issuer = new RoomTokenIssuer(key, clock);
    } catch (IllegalArgumentException e) {
      throw invalid("--secret", e.getMessage());
    }
    spec.commandLine().getOut().println(issuer.issue(identity, room, name, ttl, capacity));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private byte[] secretBytes() {
    String value = secret != null ? secret : environment.apply(SECRET_ENV);
    if (value == null || value.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "Missing secret: pass --secret or set " + SECRET_ENV);
    }
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** The message never includes the value: for --secret that would print the secret. */
  private ParameterException invalid(String option, String problem) {
    return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + problem);
  }
}
