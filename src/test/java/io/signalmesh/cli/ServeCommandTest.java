package io.signalmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.config.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** {@code serve} flags and their environment variables (operator-contract.md). */
@Timeout(30)
class ServeCommandTest {

  private static final Function<String, String> NO_ENV = name -> null;

  @TempDir
  static Path temp;

  static Stream<Arguments> badValues() throws IOException {
    Path cert = Files.writeString(temp.resolve("cert.pem"), "not really a certificate");
    return Stream.of(
        Arguments.of("--port", List.of("--port", "-1")),
        Arguments.of("--port", List.of("--port", "65536")),
        Arguments.of("--port", List.of("--port", "http")),
        Arguments.of("--host", List.of("--host", " ")),
        Arguments.of("--management-host", List.of("--management-host", " ")),
        Arguments.of("--management-port", List.of("--management-port", "70000")),
        Arguments.of("--management-port", List.of("--host", "127.0.0.1", "--management-host", "127.0.0.1",
            "--port", "9000", "--management-port", "9000")),
        Arguments.of("--node-id", List.of("--node-id", "no spaces allowed")),
        Arguments.of("--cluster-host", List.of("--cluster-host", " ")),
        Arguments.of("--cluster-port", List.of("--cluster-port", "0")),
        Arguments.of("--cluster-members", List.of("--cluster-members", "10.0.0.1:5701,no-port")),
        Arguments.of("--cluster-members", List.of("--cluster-members", "10.0.0.1:port")),
        Arguments.of("--cluster-dns", List.of("--cluster-dns", " ")),
        Arguments.of("--eventbus-port", List.of("--eventbus-port", "-1")),
        Arguments.of("--redis", List.of("--redis", " ")),
        Arguments.of("--redis-timeout", List.of("--redis-timeout", "0")),
        Arguments.of("--redis-timeout", List.of("--redis-timeout", "soon")),
        Arguments.of("--redis-key-prefix", List.of("--redis-key-prefix", "")),
        Arguments.of("--redis-key-prefix", List.of("--redis-key-prefix", "mesh{1}:")),
        Arguments.of("--redis-key-prefix", List.of("--redis-key-prefix", "two words")),
        Arguments.of("--redis-key-prefix", List.of("--redis-key-prefix", "x".repeat(129))),
        Arguments.of("--admin-key", List.of("--admin-key", "short")),
        Arguments.of("--token-secret", List.of("--token-secret", "shorter-than-32-bytes")),
        Arguments.of("--turn-secret", List.of("--turn-urls", "turn:turn.example.org")),
        Arguments.of("--turn-urls", List.of("--turn-urls", "http://turn.example.org", "--turn-secret", "s")),
        Arguments.of("--stun-urls", List.of("--stun-urls", "stun.example.org:3478")),
        Arguments.of("--turn-ttl", List.of("--turn-ttl", "0")),
        Arguments.of("--max-message-bytes", List.of("--max-message-bytes", "100")),
        Arguments.of("--max-message-bytes", List.of("--max-message-bytes", "999999999")),
        Arguments.of("--resume-grace", List.of("--resume-grace", "-1")),
        Arguments.of("--resume-grace", List.of("--resume-grace", "a while")),
        Arguments.of("--rate-limit", List.of("--rate-limit", "0")),
        Arguments.of("--rate-burst", List.of("--rate-burst", "0")),
        Arguments.of("--max-rooms-per-client", List.of("--max-rooms-per-client", "0")),
        Arguments.of("--room-capacity", List.of("--room-capacity", "1")),
        Arguments.of("--max-name-length", List.of("--max-name-length", "0")),
        Arguments.of("--max-metadata-bytes", List.of("--max-metadata-bytes", "1")),
        Arguments.of("--resume-inbox", List.of("--resume-inbox", "-1")),
        Arguments.of("--max-pending-bytes", List.of("--max-pending-bytes", "1000")),
        Arguments.of("--ping-interval", List.of("--ping-interval", "0")),
        Arguments.of("--idle-timeout", List.of("--ping-interval", "20s", "--idle-timeout", "10s")),
        Arguments.of("--drain-timeout", List.of("--drain-timeout", "-5s")),
        Arguments.of("--tls-cert", List.of("--tls-cert", temp.resolve("missing.pem").toString(),
            "--tls-key", cert.toString())),
        Arguments.of("--tls-key", List.of("--tls-cert", cert.toString())),
        Arguments.of("--log-format", List.of("--log-format", "xml")),
        Arguments.of("--allowed-origins", List.of("--allowed-origins", "https://app.example.org/path")),
        Arguments.of("--allowed-origins", List.of("--allowed-origins", "app.example.org")),
        Arguments.of("--allowed-origins", List.of("--allowed-origins", "")),
        Arguments.of("--max-connections-per-ip", List.of("--max-connections-per-ip", "0")),
        Arguments.of("--max-connections-per-ip", List.of("--max-connections-per-ip", "many")),
        Arguments.of("--trusted-proxies", List.of("--trusted-proxies", "proxy.example.org")),
        Arguments.of("--trusted-proxies", List.of("--trusted-proxies", "10.0.0.1,10.0.0.300")),
        Arguments.of("--join-rate", List.of("--join-rate", "0")),
        Arguments.of("--join-burst", List.of("--join-burst", "0")),
        Arguments.of("--handshake-timeout", List.of("--handshake-timeout", "0")),
        Arguments.of("--handshake-timeout", List.of("--handshake-timeout", "soon")),
        Arguments.of("--auth-failure-delay", List.of("--auth-failure-delay", "-1s")),
        Arguments.of("--auth-failure-max-delay", List.of("--auth-failure-delay", "2s", "--auth-failure-max-delay", "1s")),
        Arguments.of("--web-root", List.of("--web-root", temp.resolve("no-such-folder").toString())),
        Arguments.of("--no-such-flag", List.of("--no-such-flag", "1")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badValues")
  void aBadValueStopsStartUpWithAMessageNamingTheFlag(String flag, List<String> args) {
    assertThatThrownBy(() -> ServeCommand.parse(NO_ENV, args.toArray(String[]::new)))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining(flag);
  }

  @Test
  void serveWithABadValueExitsNonZeroWithTheMessageOnStderrAndNeverStarts() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine(NO_ENV);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.getSubcommands().get("serve").setOut(new PrintWriter(out, true));
    commandLine.getSubcommands().get("serve").setErr(new PrintWriter(err, true));
    int exit = commandLine.execute("serve", "--port", "0", "--management-port", "0", "--room-capacity", "1");
    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("--room-capacity");
    assertThat(out.toString()).doesNotContain("ready");
  }

  @Test
  void withoutFlagsOrEnvironmentServeIsTheEmbeddedDefault() {
    ServerConfig config = ServeCommand.parse(NO_ENV);
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.managementHost()).isEqualTo("127.0.0.1");
    assertThat(config.managementPort()).isEqualTo(8081);
    assertThat(config.cluster().enabled()).isFalse();
    assertThat(config.redisUrl()).isNull();
    assertThat(config.tokenSecret()).isNull();
    assertThat(config.limits().maxMessageBytes()).isEqualTo(65536);
    assertThat(config.limits().resumeGrace()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.logFormat()).isEqualTo(ServerConfig.LogFormat.TEXT);
  }

  @Test
  void anEnvironmentVariableIsUsedWhenTheFlagIsAbsent() {
    Map<String, String> env = Map.of(
        "SIGNALMESH_PORT", "9090",
        "SIGNALMESH_MANAGEMENT_PORT", "9091",
        "SIGNALMESH_RESUME_GRACE", "7",
        "SIGNALMESH_TOKEN_SECRET", "an-environment-secret-of-32-bytes-or-more",
        "SIGNALMESH_STUN_URLS", "stun:a.example.org,stun:b.example.org",
        "SIGNALMESH_PING_INTERVAL", "5s",
        "SIGNALMESH_LOG_FORMAT", "json",
        "SIGNALMESH_MAX_MESSAGE_BYTES", "4096",
        "SIGNALMESH_CLUSTER", "true",
        "SIGNALMESH_REDIS", "redis://127.0.0.1:6379");
    ServerConfig config = ServeCommand.parse(env::get);
    assertThat(config.port()).isEqualTo(9090);
    assertThat(config.managementPort()).isEqualTo(9091);
    assertThat(config.limits().resumeGrace()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.tokenSecret()).isEqualTo("an-environment-secret-of-32-bytes-or-more");
    assertThat(config.ice().stunUrls()).containsExactly("stun:a.example.org", "stun:b.example.org");
    assertThat(config.limits().pingInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.logFormat()).isEqualTo(ServerConfig.LogFormat.JSON);
    assertThat(config.limits().maxMessageBytes()).isEqualTo(4096);
    assertThat(config.cluster().enabled()).isTrue();
  }

  @Test
  void theFlagWinsOverTheEnvironmentVariable() {
    Map<String, String> env = Map.of("SIGNALMESH_PORT", "9090", "SIGNALMESH_RESUME_GRACE", "7",
        "SIGNALMESH_LOG_FORMAT", "json");
    ServerConfig config = ServeCommand.parse(env::get, "--port", "7070", "--resume-grace", "3", "--log-format", "text");
    assertThat(config.port()).isEqualTo(7070);
    assertThat(config.limits().resumeGrace()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.logFormat()).isEqualTo(ServerConfig.LogFormat.TEXT);
  }

  @Test
  void aBadEnvironmentValueStopsStartUpNamingTheSetting() {
    assertThatThrownBy(() -> ServeCommand.parse(Map.of("SIGNALMESH_PORT", "eighty")::get))
        .isInstanceOf(ParameterException.class).hasMessageContaining("--port");
    assertThatThrownBy(() -> ServeCommand.parse(Map.of("SIGNALMESH_ROOM_CAPACITY", "1")::get))
        .isInstanceOf(ParameterException.class).hasMessageContaining("--room-capacity");
  }

  @Test
  void signalingLeavesOneCoreToTheRestUnlessEventLoopsSaysHowMany() {
    assertThat(ServerConfig.defaultEventLoops(1)).isEqualTo(1);
    assertThat(ServerConfig.defaultEventLoops(2)).isEqualTo(1);
    assertThat(ServerConfig.defaultEventLoops(8)).isEqualTo(7);
    assertThat(ServeCommand.parse(NO_ENV).signalingEventLoops())
        .isEqualTo(ServerConfig.defaultEventLoops(Runtime.getRuntime().availableProcessors()));
    assertThat(ServeCommand.parse(NO_ENV, "--event-loops", "1").signalingEventLoops()).isEqualTo(1);
    assertThatThrownBy(() -> ServeCommand.parse(NO_ENV, "--event-loops", "-1"))
        .isInstanceOf(ParameterException.class).hasMessageContaining("--event-loops");
  }

  @Test
  void aNodeStartsWithoutWarmUpUnlessWarmUpJoinsSaysHowMany() {
    assertThat(ServeCommand.parse(NO_ENV).warmUpJoins()).isZero();
    assertThat(ServeCommand.parse(NO_ENV, "--warm-up-joins", "20000").warmUpJoins()).isEqualTo(20_000);
    assertThat(ServeCommand.parse(Map.of("SIGNALMESH_WARM_UP_JOINS", "3000")::get).warmUpJoins()).isEqualTo(3_000);
    assertThatThrownBy(() -> ServeCommand.parse(NO_ENV, "--warm-up-joins", "-1"))
        .isInstanceOf(ParameterException.class).hasMessageContaining("--warm-up-joins");
  }

  @Test
  void theWarmUpNodeIsPrivateAloneAndHasTheNodesLoopsAndMessageLimit() {
    ServerConfig real = ServeCommand.parse(NO_ENV, "--host", "0.0.0.0", "--port", "8080", "--event-loops", "3",
        "--max-message-bytes", "30000", "--redis", "redis://127.0.0.1:6379", "--cluster", "--token-secret",
        "a-secret-of-at-least-thirty-two-bytes!", "--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret",
        "sixteen-bytes-or-more");

    ServerConfig rehearsal = ServeCommand.rehearsalConfig(real);

    assertThat(rehearsal.host()).isEqualTo("127.0.0.1");
    assertThat(rehearsal.port()).isZero();
    assertThat(rehearsal.managementHost()).isEqualTo("127.0.0.1");
    assertThat(rehearsal.managementPort()).isZero();
    assertThat(rehearsal.cluster().enabled()).isFalse();
    assertThat(rehearsal.tokenSecret()).isNull();
    assertThat(rehearsal.webhooks().urls()).isEmpty();
    assertThat(rehearsal.signalingEventLoops()).isEqualTo(3);
    assertThat(rehearsal.limits().maxMessageBytes()).isEqualTo(30_000);
    assertThat(rehearsal.warmUpJoins()).isZero();
  }

  @Test
  void theWarmUpOfAnInMemoryNodeIsInMemory() {
    assertThat(ServeCommand.rehearsalConfig(ServeCommand.parse(NO_ENV)).redisUrl()).isNull();
  }

  @Test
  void theWarmUpOfARedisNodeUsesItsRedisUnderAPrefixOfItsOwnThatDiffersFromRunToRun() {
    ServerConfig real = ServeCommand.parse(NO_ENV, "--redis", "redis://127.0.0.1:6379", "--redis-timeout", "1500ms",
        "--redis-key-prefix", "prod:");

    ServerConfig first = ServeCommand.rehearsalConfig(real);
    ServerConfig second = ServeCommand.rehearsalConfig(real);

    assertThat(first.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(first.redisTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(first.redisKeyPrefix()).matches("prod:warm-up-[0-9a-f]{8}:");
    assertThat(second.redisKeyPrefix()).as("two nodes starting at once must not share one").isNotEqualTo(first.redisKeyPrefix());
  }

  @Test
  void keysInRedisStartWithSignalmeshUnlessARedisKeyPrefixIsGiven() {
    assertThat(ServeCommand.parse(NO_ENV).redisKeyPrefix()).isEqualTo("signalmesh:");
    assertThat(ServeCommand.parse(NO_ENV, "--redis-key-prefix", "staging.signalmesh:").redisKeyPrefix())
        .isEqualTo("staging.signalmesh:");
    assertThat(ServeCommand.parse(Map.of("SIGNALMESH_REDIS_KEY_PREFIX", "eu-1:")::get).redisKeyPrefix()).isEqualTo("eu-1:");
  }

  @Test
  void aGoodFlagValueOverridesABadEnvironmentValue() {
    ServerConfig config = ServeCommand.parse(Map.of("SIGNALMESH_ROOM_CAPACITY", "1")::get, "--room-capacity", "4");
    assertThat(config.limits().roomCapacity()).isEqualTo(4);
  }

  @Test
  void abuseLimitsHaveSafeDefaultsThatKeepTheEmbeddedDefaultWorking() {
    ServerConfig config = ServeCommand.parse(NO_ENV);
    assertThat(config.abuse().allowedOrigins()).containsExactly("*");
    assertThat(config.abuse().maxConnectionsPerIp()).isEqualTo(200);
    assertThat(config.abuse().trustedProxies()).isEmpty();
    assertThat(config.abuse().joinRatePerSecond()).isEqualTo(5);
    assertThat(config.abuse().joinBurst()).isEqualTo(20);
    assertThat(config.abuse().handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.abuse().authFailureDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.abuse().authFailureMaxDelay()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void abuseLimitsComeFromTheEnvironmentToo() {
    Map<String, String> env = Map.of(
        "SIGNALMESH_ALLOWED_ORIGINS", "https://app.example.org,https://admin.example.org",
        "SIGNALMESH_MAX_CONNECTIONS_PER_IP", "50",
        "SIGNALMESH_TRUSTED_PROXIES", "10.0.0.1,0:0:0:0:0:0:0:1",
        "SIGNALMESH_JOIN_RATE", "2",
        "SIGNALMESH_HANDSHAKE_TIMEOUT", "3s");
    ServerConfig config = ServeCommand.parse(env::get);
    assertThat(config.abuse().allowedOrigins()).containsExactly("https://app.example.org", "https://admin.example.org");
    assertThat(config.abuse().maxConnectionsPerIp()).isEqualTo(50);
    assertThat(config.abuse().trustedProxies()).containsExactly("10.0.0.1", "::1");
    assertThat(config.abuse().joinRatePerSecond()).isEqualTo(2);
    assertThat(config.abuse().handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void durationsTakeMillisecondsToo() {
    ServerConfig config = ServeCommand.parse(NO_ENV, "--ping-interval", "200ms", "--idle-timeout", "1s");
    assertThat(config.limits().pingInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(1));
  }
}
