package io.signalmesh.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way operators type them: {@code 500ms}, {@code 90s}, {@code 15m}, {@code 1h},
 * {@code 2d}, or a plain number of seconds. picocli puts the option's name in front of the message.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,15})(ms|[smhd]?)");

  @Override
  public Duration convert(String value) {
    Matcher matcher = FORMAT.matcher(value);
    if (!matcher.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration (use 500ms, 90s, 15m, 1h, 2d or plain seconds)");
    }
    long amount = Long.parseLong(matcher.group(1));
    try {
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> Duration.ofSeconds(amount);
      };
    } catch (ArithmeticException e) {
      throw new TypeConversionException("'" + value + "' is too long a duration");
    }
  }
}
