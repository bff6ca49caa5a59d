package io.signalmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.auth.RoomTokenVerifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

class TokenCommandTest {

  private static final String SECRET = "a-32-byte-or-longer-signing-secret!";
  private static final Instant NOW = Instant.parse("2027-01-15T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new TokenCommand(env::get, CLOCK));
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private int run(String... args) {
    return run(Map.of(), args);
  }

  private static RoomToken verify(String printed, String secret) {
    return new RoomTokenVerifier(secret.getBytes(StandardCharsets.UTF_8), CLOCK, Duration.ZERO)
        .verify(printed.strip());
  }

  @Test
  void printsOnlyATokenTheVerifierAccepts() {
    int exit = run("--secret", SECRET, "--room", "team-a:*", "--identity", "ada", "--name", "Ada L.",
        "--ttl", "15m", "--capacity", "6");

    assertThat(exit).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\R");
    assertThat(verify(out.toString(), SECRET)).isEqualTo(
        new RoomToken("ada", "team-a:*", "Ada L.", NOW.plus(Duration.ofMinutes(15)), null, 6, true));
  }

  @Test
  void ttlDefaultsToOneHour() {
    run("--secret", SECRET, "--room", "r1", "--identity", "ada");

    assertThat(verify(out.toString(), SECRET).expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
  }

  @Test
  void takesTheSecretFromTheEnvironmentWhenNoFlagIsGiven() {
    int exit = run(Map.of(TokenCommand.SECRET_ENV, SECRET), "--room", "r1", "--identity", "ada");

    assertThat(exit).isZero();
    assertThat(verify(out.toString(), SECRET).subject()).isEqualTo("ada");
  }

  @Test
  void secretFlagWinsOverTheEnvironment() {
    String flagSecret = "the-flag-secret-is-also-32-bytes-long";

    run(Map.of(TokenCommand.SECRET_ENV, SECRET), "--secret", flagSecret, "--room", "r1", "--identity", "ada");

    assertThat(verify(out.toString(), flagSecret).subject()).isEqualTo("ada");
  }

  @Test
  void withoutAnySecretFailsNamingBothWaysToGiveIt() {
    int exit = run("--room", "r1", "--identity", "ada");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("--secret").contains(TokenCommand.SECRET_ENV);
  }

  @Test
  void aShortSecretIsRefusedWithoutEchoingIt() {
    int exit = run("--secret", "hunter2", "--room", "r1", "--identity", "ada");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("--secret").contains("32 bytes").doesNotContain("hunter2");
  }

  @Test
  void aBadTtlGivesAnErrorNamingTheOption() {
    int exit = run("--secret", SECRET, "--room", "r1", "--identity", "ada", "--ttl", "soon");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("--ttl").contains("soon").contains("90s, 15m, 1h, 2d");
  }

  @Test
  void aZeroTtlIsRefused() {
    int exit = run("--secret", SECRET, "--room", "r1", "--identity", "ada", "--ttl", "0");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--ttl");
  }

  @Test
  void anInvalidRoomIsRefusedNamingTheOption() {
    int exit = run("--secret", SECRET, "--room", "two words", "--identity", "ada");

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("--room");
  }

  @Test
  void aNonPositiveCapacityIsRefused() {
    int exit = run("--secret", SECRET, "--room", "r1", "--identity", "ada", "--capacity", "0");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--capacity");
  }

  @Test
  void roomAndIdentityAreRequired() {
    int exit = run("--secret", SECRET);

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--room").contains("--identity");
  }

  @Test
  void helpNeverShowsTheSecretFromTheEnvironment() {
    int exit = run(Map.of(TokenCommand.SECRET_ENV, SECRET), "--help");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("--secret").contains(TokenCommand.SECRET_ENV).doesNotContain(SECRET);
  }

  @Test
  void ttlAcceptsSecondsMinutesHoursDaysAndPlainSeconds() {
    DurationConverter converter = new DurationConverter();

    assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(converter.convert("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(converter.convert("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(converter.convert("3600")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void ttlRefusesOtherSpellings() {
    DurationConverter converter = new DurationConverter();

    for (String bad : new String[] {"", "-5s", "1.5h", "1H", "1w", "h", "PT1H", " 1h", "1 h"}) {
      assertThatThrownBy(() -> converter.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class);
    }
  }

  @Test
  void ttlRefusesADurationTooLongToRepresent() {
    assertThatThrownBy(() -> new DurationConverter().convert("999999999999999d"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("too long");
  }
}
