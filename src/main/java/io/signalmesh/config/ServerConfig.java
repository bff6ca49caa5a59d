package io.signalmesh.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Everything {@code serve} needs, validated once at start (operator-contract.md). A bad value
 * throws {@link ConfigException} naming the flag.
 *
 * @param host signaling and web app listen address (default 0.0.0.0)
 * @param port signaling and web app port (default 8080)
 * @param managementHost management listen address (default 127.0.0.1)
 * @param managementPort health, metrics and admin port (default 8081)
 * @param nodeId this node's name in presence and admin output (default random)
 * @param cluster clustering settings (off by default)
 * @param redisUrl Redis URL for presence, or null for in-memory presence
 * @param redisTimeout timeout of each Redis command
 * @param redisKeyPrefix what every key in Redis starts with (default {@code signalmesh:}), so that
 *     meshes, and a node's warm-up, can share one Redis database
 * @param adminKey bearer key for the admin API, or null
 * @param tokenSecret HS256 secret for room tokens, or null (open mode)
 * @param tokenLeeway clock skew tolerated on a token's exp and nbf, at connect and at expiry
 * @param ice STUN/TURN settings given to clients
 * @param tls certificate and key for HTTPS/WSS, or null
 * @param logFormat text or json
 * @param webRoot folder to serve the web app from, or null for the packaged copy
 * @param drainTimeout how long a SIGTERM waits for sessions to move before leaving
 * @param limits what one connection may do
 * @param abuse what protects the signaling port from strangers (origins, addresses, handshakes)
 * @param webhooks where room and participant events are POSTed (off without URLs)
 * @param eventLoops event loops serving signaling, 0 for one per core but one (at least one)
 * @param warmUpJoins joins rehearsed, as calls of two clients, on a private node before this one starts, 0 for none
 */
public record ServerConfig(
    String host,
    int port,
    String managementHost,
    int managementPort,
    String nodeId,
    ClusterConfig cluster,
    String redisUrl,
    Duration redisTimeout,
    String redisKeyPrefix,
    String adminKey,
    String tokenSecret,
    Duration tokenLeeway,
    IceConfig ice,
    TlsConfig tls,
    LogFormat logFormat,
    Path webRoot,
    Duration drainTimeout,
    SessionLimits limits,
    AbuseLimits abuse,
    WebhookConfig webhooks,
    int eventLoops,
    int warmUpJoins) {

  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** No braces: one would become every key's hash tag and split a room's keys on Redis Cluster. */
  private static final Pattern REDIS_KEY_PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  public ServerConfig {
    Settings.notBlank("--host", host);
    Settings.port("--port", port, true);
    Settings.notBlank("--management-host", managementHost);
    Settings.port("--management-port", managementPort, true);
    if (port != 0 && port == managementPort && host.equals(managementHost)) {
      throw new ConfigException("--management-port", "must differ from --port (" + port + ")");
    }
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new ConfigException("--node-id", "must be 1-64 characters of [A-Za-z0-9_.-]");
    }
    Settings.notBlank("--redis", redisUrl);
    if (cluster.enabled() && redisUrl == null) {
      throw new ConfigException("--redis", "is required with --cluster (the nodes share presence through it)");
    }
    Settings.positive("--redis-timeout", redisTimeout);
    if (!REDIS_KEY_PREFIX.matcher(redisKeyPrefix).matches()) {
      throw new ConfigException("--redis-key-prefix", "must be 1-128 characters of [A-Za-z0-9_.:-] (got \"" + redisKeyPrefix + "\")");
    }
    Settings.notBlank("--admin-key", adminKey);
    if (adminKey != null && adminKey.length() < 16) {
      throw new ConfigException("--admin-key", "must be at least 16 characters");
    }
    Settings.notBlank("--token-secret", tokenSecret);
    Settings.notNegative("--token-leeway", tokenLeeway);
    if (tokenSecret != null && tokenSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("--token-secret", "must be at least 32 bytes (HS256, RFC 7518 section 3.2)");
    }
    if (webRoot != null && !Files.isDirectory(webRoot)) {
      throw new ConfigException("--web-root", "is not a folder: " + webRoot);
    }
    Settings.notNegative("--drain-timeout", drainTimeout);
    if (warmUpJoins < 0) {
      throw new ConfigException("--warm-up-joins", "must not be negative (got " + warmUpJoins + ")");
    }
    if (eventLoops < 0) {
      throw new ConfigException("--event-loops", "must not be negative (got " + eventLoops + ")");
    }
  }

  /**
   * Event loops serving the signaling port: {@code --event-loops}, or for 0 one per CPU core but
   * one, at least one. The core left over serves the garbage collector, the compiler and the
   * kernel's network work without taking turns with a loop, and fewer loops each find more frames
   * per wake-up: on two cores one loop relays for about a fifth less CPU per message than two, and two
   * nodes cross for less (docs/benchmarks.md, "Session 12").
   */
  public int signalingEventLoops() {
    return eventLoops > 0 ? eventLoops : defaultEventLoops(Runtime.getRuntime().availableProcessors());
  }

  /** The event loops of {@code --event-loops 0} on a machine of this many cores. */
  public static int defaultEventLoops(int cores) {
    return Math.max(1, cores - 1);
  }

  /** TLS on the signaling port. */
  public record TlsConfig(Path certPath, Path keyPath) {
    public TlsConfig {
      if (!Files.isReadable(certPath)) {
        throw new ConfigException("--tls-cert", "cannot read " + certPath);
      }
      if (!Files.isReadable(keyPath)) {
        throw new ConfigException("--tls-key", "cannot read " + keyPath);
      }
    }
  }

  /** STUN and TURN servers handed to clients in {@code connected.iceServers}. */
  public record IceConfig(List<String> stunUrls, List<String> turnUrls, String turnSecret, Duration turnCredentialTtl) {
    public IceConfig {
      stunUrls = List.copyOf(stunUrls);
      turnUrls = List.copyOf(turnUrls);
      if (!turnUrls.isEmpty() && (turnSecret == null || turnSecret.isBlank())) {
        throw new ConfigException("--turn-secret", "is required when --turn-urls is set");
      }
      Settings.positive("--turn-ttl", turnCredentialTtl);
      checkSchemes("--stun-urls", stunUrls, "stun:", "stuns:");
      checkSchemes("--turn-urls", turnUrls, "turn:", "turns:");
    }

    /** The same rule IceServers applies at start-up, checked here so that it names the flag. */
    private static void checkSchemes(String setting, List<String> urls, String plain, String secure) {
      for (String url : urls) {
        if (!(url.startsWith(plain) || url.startsWith(secure)) || url.substring(url.indexOf(':') + 1).isBlank()) {
          throw new ConfigException(setting, "'" + url + "' must start with " + plain + " or " + secure + " and name a host");
        }
      }
    }
  }

  /** The log line format. */
  public enum LogFormat { TEXT, JSON }
}
