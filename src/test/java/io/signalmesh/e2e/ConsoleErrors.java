package io.signalmesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;

/** Console errors a normal call must not produce, minus the few known to be harmless (each with its reason). */
final class ConsoleErrors {

  private static final String PROBE = "signalmesh-e2e console probe";

  /** Messages that are not the app's fault, each with why it is harmless. None so far. */
  private static final List<Pattern> HARMLESS = List.of();

  private ConsoleErrors() {}

  /**
   * The SEVERE console entries of {@code browser} since they were last read, without the harmless
   * ones. It first logs a probe error and checks that it comes back, so that an empty answer means
   * "no errors" and not "the log is not collected".
   */
  static List<String> unexpected(Browser browser) {
    browser.js("console.error(arguments[0])", PROBE);
    List<String> errors = browser.consoleErrors().stream().map(e -> e.getMessage()).toList();
    assertThat(errors).as(browser.name() + ": the console log is collected").anyMatch(m -> m.contains(PROBE));
    return errors.stream()
        .filter(m -> !m.contains(PROBE))
        .filter(m -> HARMLESS.stream().noneMatch(p -> p.matcher(m).find()))
        .toList();
  }
}
