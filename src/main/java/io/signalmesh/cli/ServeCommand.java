package io.signalmesh.cli;

import io.signalmesh.app.NodeRehearsal;
import io.signalmesh.app.SignalmeshNode;
import io.signalmesh.config.AbuseLimits;
import io.signalmesh.config.ClusterConfig;
import io.signalmesh.config.ConfigException;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.config.SessionLimits;
import io.signalmesh.config.WebhookConfig;
import io.signalmesh.logging.LogSetup;
import io.signalmesh.presence.RedisPresenceKeys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code serve}: runs a node until SIGTERM, then drains (operator-contract.md). */
@Command(name = "serve", description = "Runs a signaling node (embedded default: one node, in-memory presence)",
    sortOptions = false)
public final class ServeCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Signaling and web app listen address (default: ${DEFAULT-VALUE})")
  String host;
  @Option(names = "--port", defaultValue = "8080", description = "Signaling and web app port (default: ${DEFAULT-VALUE})")
  int port;
  @Option(names = "--management-host", defaultValue = "127.0.0.1", description = "Management listen address (default: ${DEFAULT-VALUE})")
  String managementHost;
  @Option(names = "--management-port", defaultValue = "8081", description = "Health, metrics and admin port (default: ${DEFAULT-VALUE})")
  int managementPort;
  @Option(names = "--node-id", description = "Node name in presence and admin output (default: random)")
  String nodeId;

  @Option(names = "--cluster", description = "Join a Hazelcast cluster (clustered event bus)")
  boolean cluster;
  @Option(names = "--cluster-host", defaultValue = ClusterConfig.DEFAULT_HOST, description = "Address for cluster and event-bus traffic (default: ${DEFAULT-VALUE})")
  String clusterHost;
  @Option(names = "--cluster-port", defaultValue = "5701", description = "Hazelcast member port (default: ${DEFAULT-VALUE})")
  int clusterPort;
  @Option(names = "--cluster-members", split = ",", description = "Comma-separated host:port of cluster members (TCP-IP discovery)")
  List<String> clusterMembers = List.of();
  @Option(names = "--cluster-dns", description = "Headless Service name for Kubernetes DNS discovery")
  String clusterDns;
  @Option(names = "--eventbus-port", defaultValue = "0", description = "Event bus port, 0 = any free port (default: ${DEFAULT-VALUE})")
  int eventBusPort;

  @Option(names = "--redis", description = "Redis URL for presence: redis://host:port, rediss://..., redis-sentinel://h1:p1,h2:p2/master or redis-cluster://h1:p1,h2:p2; default in-memory")
  String redis;
  @Option(names = "--redis-timeout", defaultValue = "2s", converter = DurationConverter.class, description = "Timeout of each Redis command (default: ${DEFAULT-VALUE})")
  Duration redisTimeout;
  @Option(names = "--redis-key-prefix", defaultValue = RedisPresenceKeys.DEFAULT_PREFIX, description = "What every key in Redis starts with, so that several meshes can share one Redis database (default: ${DEFAULT-VALUE})")
  String redisKeyPrefix;

  @Option(names = "--admin-key", description = "Bearer key for the admin REST API")
  String adminKey;
  @Option(names = "--token-secret", description = "HS256 secret (32+ bytes): joining then needs a room token")
  String tokenSecret;
  @Option(names = "--token-leeway", defaultValue = "30s", converter = DurationConverter.class, description = "Clock skew tolerated on a room token's exp and nbf (default: ${DEFAULT-VALUE})")
  Duration tokenLeeway;
  @Option(names = "--turn-urls", split = ",", description = "Comma-separated TURN URLs given to clients")
  List<String> turnUrls = List.of();
  @Option(names = "--turn-secret", description = "coturn static-auth-secret for TURN REST credentials")
  String turnSecret;
  @Option(names = "--turn-ttl", defaultValue = "12h", converter = DurationConverter.class, description = "Lifetime of TURN credentials (default: ${DEFAULT-VALUE})")
  Duration turnTtl;
  @Option(names = "--stun-urls", split = ",", description = "Comma-separated STUN URLs given to clients")
  List<String> stunUrls = List.of();

  @Option(names = "--max-message-bytes", defaultValue = "65536", description = "Largest accepted message (default: ${DEFAULT-VALUE})")
  int maxMessageBytes;
  @Option(names = "--resume-grace", defaultValue = "15", description = "Seconds a dropped session may resume (default: ${DEFAULT-VALUE})")
  int resumeGraceSeconds;
  @Option(names = "--rate-limit", defaultValue = "50", description = "Messages per second per connection, sustained (default: ${DEFAULT-VALUE})")
  int rateLimit;
  @Option(names = "--rate-burst", defaultValue = "200", description = "Messages a connection may send at once (default: ${DEFAULT-VALUE})")
  int rateBurst;
  @Option(names = "--max-rooms-per-client", defaultValue = "16", description = "Rooms one connection may be in (default: ${DEFAULT-VALUE})")
  int maxRoomsPerClient;
  @Option(names = "--room-capacity", defaultValue = "50", description = "Participants per room unless a token says otherwise (default: ${DEFAULT-VALUE})")
  int roomCapacity;
  @Option(names = "--max-name-length", defaultValue = "64", description = "Longest display name (default: ${DEFAULT-VALUE})")
  int maxNameLength;
  @Option(names = "--max-metadata-bytes", defaultValue = "1024", description = "Largest participant metadata (default: ${DEFAULT-VALUE})")
  int maxMetadataBytes;
  @Option(names = "--resume-inbox", defaultValue = "256", description = "Messages kept for a dropped session (default: ${DEFAULT-VALUE})")
  int resumeInbox;
  @Option(names = "--max-pending-bytes", defaultValue = "1048576", description = "Bytes queued to a client that does not read before it is cut off (default: ${DEFAULT-VALUE})")
  int maxPendingBytes;
  @Option(names = "--ping-interval", defaultValue = "20s", converter = DurationConverter.class, description = "WebSocket ping interval (default: ${DEFAULT-VALUE})")
  Duration pingInterval;
  @Option(names = "--idle-timeout", defaultValue = "60s", converter = DurationConverter.class, description = "Close connections silent for longer (default: ${DEFAULT-VALUE})")
  Duration idleTimeout;
  @Option(names = "--drain-timeout", defaultValue = "20s", converter = DurationConverter.class, description = "How long SIGTERM waits for clients to move (default: ${DEFAULT-VALUE})")
  Duration drainTimeout;

  @Option(names = "--allowed-origins", split = ",", defaultValue = "*", description = "Comma-separated exact Origin values a WebSocket upgrade may carry, * = any; set it in production (default: ${DEFAULT-VALUE})")
  List<String> allowedOrigins;
  @Option(names = "--max-connections-per-ip", defaultValue = "200", description = "WebSocket connections one client address may hold (default: ${DEFAULT-VALUE})")
  int maxConnectionsPerIp;
  @Option(names = "--trusted-proxies", split = ",", description = "Comma-separated proxy IPs whose X-Forwarded-For names the client (default: none)")
  List<String> trustedProxies = List.of();
  @Option(names = "--join-rate", defaultValue = "5", description = "Joins per second per connection, sustained (default: ${DEFAULT-VALUE})")
  int joinRate;
  @Option(names = "--join-burst", defaultValue = "20", description = "Joins a connection may send at once (default: ${DEFAULT-VALUE})")
  int joinBurst;
  @Option(names = "--handshake-timeout", defaultValue = "10s", converter = DurationConverter.class, description = "Close connections that have not sent their upgrade request by then (default: ${DEFAULT-VALUE})")
  Duration handshakeTimeout;
  @Option(names = "--auth-failure-delay", defaultValue = "100ms", converter = DurationConverter.class, description = "Delay after a bad room or resume token from an address, doubling per failure (default: ${DEFAULT-VALUE})")
  Duration authFailureDelay;
  @Option(names = "--auth-failure-max-delay", defaultValue = "5s", converter = DurationConverter.class, description = "Longest such delay (default: ${DEFAULT-VALUE})")
  Duration authFailureMaxDelay;

  @Option(names = "--webhook-url", split = ",", description = "URL that gets room and participant events as signed JSON POSTs; repeat it (or separate by commas) for several")
  List<String> webhookUrls = List.of();
  @Option(names = "--webhook-secret", description = "HMAC-SHA256 key (16+ bytes) of the X-Signalmesh-Signature header; required with --webhook-url")
  String webhookSecret;
  @Option(names = "--webhook-timeout", defaultValue = "5s", converter = DurationConverter.class, description = "Longest one webhook delivery attempt may take (default: ${DEFAULT-VALUE})")
  Duration webhookTimeout;

  @Option(names = "--tls-cert", description = "PEM certificate chain: serve HTTPS/WSS")
  Path tlsCert;
  @Option(names = "--tls-key", description = "PEM private key for --tls-cert")
  Path tlsKey;
  @Option(names = "--event-loops", defaultValue = "0", description = "Event loops serving signaling, 0 = one per CPU core but one, at least one (default: ${DEFAULT-VALUE})")
  int eventLoops;

  @Option(names = "--warm-up-joins", defaultValue = "0", description = "Before serving, rehearse this many joins, as calls of two clients (connect, join, offer, answer, candidates, leave), on a private node on a loopback port (with --redis, on that Redis under a key prefix of its own, emptied again), so that the first clients find those paths compiled (default: ${DEFAULT-VALUE}, none)")
  int warmUpJoins;

  @Option(names = "--log-format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
  String logFormat;
  @Option(names = "--web-root", description = "Serve the web app from this folder instead of the packaged copy")
  Path webRoot;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit")
  boolean help;

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    try {
      config = toConfig();
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    LogSetup.apply(config.logFormat());
    if (config.warmUpJoins() > 0) {
      new NodeRehearsal(() -> rehearsalConfig(config)).run(config.warmUpJoins());
    }
    SignalmeshNode node;
    try {
      node = SignalmeshNode.start(config).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException bad) {
        throw new ParameterException(spec.commandLine(), bad.getMessage());
      }
      System.err.println("signalmesh: cannot start: " + cause);
      return 1;
    }
    String ready = String.format("signalmesh ready: node=%s signaling=%s://%s:%d management=http://%s:%d",
        node.nodeId(), config.tls() == null ? "http" : "https", config.host(), node.port(),
        config.managementHost(), node.managementPort());
    if (config.logFormat() == ServerConfig.LogFormat.JSON) {
      // a log collector reads stdout: this line too must be one JSON object
      LoggerFactory.getLogger(ServeCommand.class).atInfo().addKeyValue("node", node.nodeId())
          .addKeyValue("port", node.port()).addKeyValue("managementPort", node.managementPort()).log(ready);
    } else {
      System.out.println(ready);
    }
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.drainAndStop().toCompletionStage().toCompletableFuture()
            .get(config.drainTimeout().toSeconds() + 10, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("signalmesh: drain did not finish cleanly: " + e);
      } finally {
        // the log is written by a worker thread: what the drain logged is written out before the JVM exits
        LogSetup.stop();
        stopped.countDown();
      }
    }, "signalmesh-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * The config that {@code serve} would run with for these arguments and environment; what
   * tests and embedding use so that they go through the same parsing and validation.
   *
   * @throws picocli.CommandLine.ParameterException for a bad value, naming the flag
   */
  public static ServerConfig parse(java.util.function.Function<String, String> environment, String... args) {
    ServeCommand command = new ServeCommand();
    picocli.CommandLine commandLine = new picocli.CommandLine(command);
    commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
    commandLine.parseArgs(args);
    try {
      return command.toConfig();
    } catch (ConfigException e) {
      throw new ParameterException(commandLine, e.getMessage(), e);
    }
  }

  ServerConfig toConfig() {
    ServerConfig.LogFormat format = switch (logFormat) {
      case "text" -> ServerConfig.LogFormat.TEXT;
      case "json" -> ServerConfig.LogFormat.JSON;
      default -> throw new ConfigException("--log-format", "must be text or json (got '" + logFormat + "')");
    };
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ConfigException(tlsCert == null ? "--tls-cert" : "--tls-key", "--tls-cert and --tls-key go together");
    }
    if (resumeGraceSeconds < 0) {
      throw new ConfigException("--resume-grace", "must not be negative (got " + resumeGraceSeconds + ")");
    }
    SessionLimits limits = new SessionLimits(maxMessageBytes, rateLimit, rateBurst, maxRoomsPerClient, roomCapacity,
        maxNameLength, maxMetadataBytes, resumeInbox, maxPendingBytes, pingInterval, idleTimeout,
        Duration.ofSeconds(resumeGraceSeconds));
    return new ServerConfig(host, port, managementHost, managementPort, nodeId == null ? randomNodeId() : nodeId,
        new ClusterConfig(cluster, clusterHost, clusterPort, clusterMembers, clusterDns, eventBusPort),
        redis, redisTimeout, redisKeyPrefix, adminKey, tokenSecret, tokenLeeway,
        new ServerConfig.IceConfig(stunUrls, turnUrls, turnSecret, turnTtl),
        tlsCert == null ? null : new ServerConfig.TlsConfig(tlsCert, tlsKey),
        format, webRoot, drainTimeout, limits,
        new AbuseLimits(allowedOrigins, maxConnectionsPerIp, trustedProxies, joinRate, joinBurst, handshakeTimeout,
            authFailureDelay, authFailureMaxDelay),
        new WebhookConfig(webhookUrls, webhookSecret, webhookTimeout), eventLoops, warmUpJoins);
  }

  /**
   * The private node a warm-up runs against: this node's event loops and message limits, on a
   * loopback port of its own, alone, with no webhooks, tokens or per-address limits. Presence is
   * where this node's is: in memory, or in this node's Redis under a key prefix of the warm-up's
   * own ({@code <prefix>warm-up-<8 hex>:}), which no other node reads and which the warm-up empties
   * again, so that the Redis client and the presence scripts are compiled too.
   */
  public static ServerConfig rehearsalConfig(ServerConfig config) {
    String unlimited = "1000000";
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--management-port", "0",
        "--node-id", "warm-up", "--event-loops", Integer.toString(config.eventLoops()),
        "--max-message-bytes", Integer.toString(config.limits().maxMessageBytes()),
        "--rate-limit", unlimited, "--rate-burst", unlimited, "--max-connections-per-ip", unlimited,
        "--join-rate", unlimited, "--join-burst", unlimited, "--drain-timeout", "5s"));
    if (config.redisUrl() != null) {
      args.addAll(List.of("--redis", config.redisUrl(), "--redis-timeout", config.redisTimeout().toMillis() + "ms",
          "--redis-key-prefix", config.redisKeyPrefix() + "warm-up-" + randomHex() + ":"));
    }
    return parse(variable -> null, args.toArray(String[]::new));
  }

  private static String randomNodeId() {
    return "node-" + randomHex();
  }

  private static String randomHex() {
    byte[] bytes = new byte[4];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
