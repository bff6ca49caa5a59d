package io.signalmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.config.WebhookConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.ParameterException;

/** The webhook flags of {@code serve}, from the command line and the environment. */
class WebhookFlagsTest {

  private static final Function<String, String> NO_ENV = name -> null;
  private static final String SECRET = "sixteen-bytes-at-least";

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("--webhook-url", List.of("--webhook-url", "ftp://hooks.example.org/x", "--webhook-secret", SECRET), "http"),
        Arguments.of("--webhook-url", List.of("--webhook-url", "hooks.example.org/x", "--webhook-secret", SECRET), "http"),
        Arguments.of("--webhook-url", List.of("--webhook-url", "https:///x", "--webhook-secret", SECRET), "host"),
        Arguments.of("--webhook-url", List.of("--webhook-url", "https://h.example.org/a b", "--webhook-secret", SECRET), "valid"),
        Arguments.of("--webhook-url", List.of("--webhook-url", "https://user:pw@h.example.org/", "--webhook-secret", SECRET), "user"),
        Arguments.of("--webhook-url", List.of("--webhook-url", "https://h.example.org:99999/", "--webhook-secret", SECRET), "port"),
        Arguments.of("--webhook-url", List.of("--webhook-url", "https://h.example.org/x",
            "--webhook-url", "https://h.example.org/x", "--webhook-secret", SECRET), "repeats"),
        Arguments.of("--webhook-secret", List.of("--webhook-url", "https://h.example.org/x"), "required"),
        Arguments.of("--webhook-secret", List.of("--webhook-url", "https://h.example.org/x", "--webhook-secret", "short"), "16"),
        Arguments.of("--webhook-timeout", List.of("--webhook-timeout", "0"), "positive"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void aBadValueStopsStartUpWithAMessageNamingTheFlag(String flag, List<String> args, String problem) {
    assertThatThrownBy(() -> ServeCommand.parse(NO_ENV, args.toArray(String[]::new)))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining(flag)
        .hasMessageContaining(problem);
  }

  @Test
  void aBadUrlIsNeverEchoedForItMayHoldAToken() {
    assertThatThrownBy(() -> ServeCommand.parse(NO_ENV, "--webhook-url", "https://user:tok3n@h.example.org/hook?key=s3cret",
        "--webhook-secret", SECRET))
        .hasMessageNotContaining("tok3n").hasMessageNotContaining("s3cret");
  }

  @Test
  void withoutAUrlWebhooksAreOff() {
    WebhookConfig webhooks = ServeCommand.parse(NO_ENV).webhooks();

    assertThat(webhooks.enabled()).isFalse();
    assertThat(webhooks.timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theUrlFlagRepeatsAndTheEnvironmentTakesACommaSeparatedList() {
    WebhookConfig fromFlags = ServeCommand.parse(NO_ENV, "--webhook-url", "https://a.example.org/hook",
        "--webhook-url", "http://b.example.org:8080/hook", "--webhook-secret", SECRET, "--webhook-timeout", "2s").webhooks();
    WebhookConfig fromEnvironment = ServeCommand.parse(Map.of(
        "SIGNALMESH_WEBHOOK_URL", "https://a.example.org/hook,http://b.example.org:8080/hook",
        "SIGNALMESH_WEBHOOK_SECRET", SECRET,
        "SIGNALMESH_WEBHOOK_TIMEOUT", "2s")::get).webhooks();

    assertThat(fromFlags.urls()).containsExactly("https://a.example.org/hook", "http://b.example.org:8080/hook");
    assertThat(fromEnvironment).isEqualTo(fromFlags);
    assertThat(fromFlags.timeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void theConfigNeverPrintsTheSecret() {
    WebhookConfig webhooks = ServeCommand.parse(NO_ENV, "--webhook-url", "https://a.example.org/hook",
        "--webhook-secret", SECRET).webhooks();

    assertThat(webhooks.toString()).doesNotContain(SECRET);
  }
}
