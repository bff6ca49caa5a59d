package io.signalmesh.presence;

import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --redis} setting: one URL naming a standalone Redis, a sentinel group or a cluster.
 *
 * <pre>
 * redis://[user:password@]host[:port][/db]                standalone (rediss:// for TLS)
 * redis-sentinel://[user:password@]h1:p1,h2:p2/masterName  sentinels; connects to the master
 * redis-cluster://[user:password@]h1:p1,h2:p2              cluster seed nodes
 * </pre>
 *
 * {@code rediss-sentinel://} and {@code rediss-cluster://} use TLS too. Credentials may be
 * percent-encoded and apply to every endpoint. Ports default to 6379 (26379 for sentinels).
 * A bad value throws {@link IllegalArgumentException} naming the setting and the problem, never
 * echoing any part of the value (a misplaced password would otherwise end up in a log).
 */
public final class RedisUrl {

  /** The setting this parses, named in every error. */
  public static final String SETTING = "--redis";
  /**
   * Connections per Redis endpoint (the client's own default is 6). On Redis Cluster each command
   * holds one for its round trip, so this bounds the commands in flight there; standalone and
   * Sentinel pipeline over two held connections instead ({@link PipelinedRedis}).
   */
  public static final int DEFAULT_MAX_POOL_SIZE = 32;
  /**
   * Commands waiting for a pooled connection before new ones are refused (client default 24).
   * A burst of joins queues here (5,000 clients joining at once are about 25,000 commands; with
   * 1,024 nearly all were refused); waiting is bounded in time by {@code --redis-timeout}.
   */
  public static final int DEFAULT_MAX_POOL_WAITING = 32_768;
  /**
   * Commands one connection may have sent and not yet had answered (client default 2,048): with
   * pipelining a burst of joins is in flight on two connections, so they take what the pool's
   * wait queue took before; waiting is still bounded in time by {@code --redis-timeout}. Not on
   * Redis Cluster: there a pooled connection has one command in flight, and the client allocates
   * this queue for each of its connections.
   */
  public static final int DEFAULT_MAX_WAITING_HANDLERS = 16_384;
  /** TCP connect timeout in milliseconds (Vert.x default 60 s), so an unreachable Redis frees the pool soon. */
  public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 2_000;

  private static final int REDIS_PORT = 6379;
  private static final int SENTINEL_PORT = 26379;
  private static final String FORMS = "expected redis://[user:password@]host[:port][/db], rediss://..., "
      + "redis-sentinel://[user:password@]host:port,host:port/masterName or "
      + "redis-cluster://[user:password@]host:port,host:port";

  private RedisUrl() {}

  /** Parses {@code url} into client options; throws IllegalArgumentException naming {@code --redis}. */
  public static RedisOptions parse(String url) {
    if (url == null || url.isBlank()) {
      throw invalid("is empty");
    }
    String value = url.strip();
    int schemeEnd = value.indexOf("://");
    if (schemeEnd < 0) {
      throw invalid("has no scheme");
    }
    String scheme = value.substring(0, schemeEnd);
    boolean tls = scheme.startsWith("rediss");
    RedisClientType type = switch (scheme) {
      case "redis", "rediss" -> RedisClientType.STANDALONE;
      case "redis-sentinel", "rediss-sentinel" -> RedisClientType.SENTINEL;
      case "redis-cluster", "rediss-cluster" -> RedisClientType.CLUSTER;
      default -> throw invalid("has an unsupported scheme");
    };

    String rest = value.substring(schemeEnd + 3);
    int at = rest.lastIndexOf('@');
    String userInfo = at < 0 ? null : rest.substring(0, at);
    String location = at < 0 ? rest : rest.substring(at + 1);
    if (location.contains("?") || location.contains("#")) {
      throw invalid("has a query or fragment, which is not supported");
    }
    int slash = location.indexOf('/');
    String hostList = slash < 0 ? location : location.substring(0, slash);
    String path = slash < 0 ? "" : location.substring(slash + 1);

    RedisOptions options = new RedisOptions()
        .setType(type)
        .setMaxPoolSize(DEFAULT_MAX_POOL_SIZE)
        .setMaxPoolWaiting(DEFAULT_MAX_POOL_WAITING)
        .setNetClientOptions(netClientOptions(tls));
    if (type != RedisClientType.CLUSTER) {
      options.setMaxWaitingHandlers(DEFAULT_MAX_WAITING_HANDLERS);
    }
    applyCredentials(options, userInfo);

    List<String> hosts = hostList.isEmpty() ? List.of() : List.of(hostList.split(",", -1));
    if (hosts.isEmpty()) {
      throw invalid("names no host");
    }
    String endpointScheme = tls ? "rediss://" : "redis://";
    String db = "";
    switch (type) {
      case STANDALONE -> {
        if (hosts.size() != 1) {
          throw invalid("names " + hosts.size() + " hosts; a standalone URL takes one (use redis-sentinel:// or redis-cluster://)");
        }
        db = database(path);
      }
      case SENTINEL -> {
        if (path.isEmpty() || path.contains("/")) {
          throw invalid("needs the master name as its path: redis-sentinel://host:port,host:port/masterName");
        }
        options.setMasterName(path).setRole(RedisRole.MASTER);
      }
      case CLUSTER -> {
        if (!path.isEmpty()) {
          throw invalid("has a path, but a cluster has no databases to select");
        }
      }
      default -> throw new IllegalStateException("unexpected type " + type);
    }
    int defaultPort = type == RedisClientType.SENTINEL ? SENTINEL_PORT : REDIS_PORT;
    List<String> endpoints = new ArrayList<>(hosts.size());
    for (int i = 0; i < hosts.size(); i++) {
      endpoints.add(endpointScheme + hostAndPort(hosts.get(i), i + 1, hosts.size(), defaultPort) + db);
    }
    return options.setEndpoints(endpoints);
  }

  /** The URL with its password replaced by {@code ***}, fit for logs. */
  public static String redacted(String url) {
    if (url == null) {
      return null;
    }
    int schemeEnd = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (schemeEnd < 0 || at < schemeEnd) {
      return url;
    }
    String userInfo = url.substring(schemeEnd + 3, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
    return url.substring(0, schemeEnd + 3) + user + ":***" + url.substring(at);
  }

  private static NetClientOptions netClientOptions(boolean tls) {
    NetClientOptions net = new NetClientOptions()
        .setConnectTimeout(DEFAULT_CONNECT_TIMEOUT_MILLIS)
        .setTcpKeepAlive(true);
    if (tls) {
      net.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
    }
    return net;
  }

  private static void applyCredentials(RedisOptions options, String userInfo) {
    if (userInfo == null) {
      return;
    }
    int colon = userInfo.indexOf(':');
    String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
    String password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    if (user.isEmpty() && (password == null || password.isEmpty())) {
      throw invalid("has an '@' but neither user nor password before it");
    }
    if (!user.isEmpty()) {
      options.setUser(user);
    }
    if (password != null && !password.isEmpty()) {
      options.setPassword(password);
    }
  }

  private static String database(String path) {
    if (path.isEmpty()) {
      return "";
    }
    try {
      int db = Integer.parseInt(path);
      if (db >= 0) {
        return "/" + db;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("has a database path that is not a number from 0 up");
  }

  private static String hostAndPort(String hostPort, int position, int count, int defaultPort) {
    String where = count == 1 ? "its host" : "host " + position + " of " + count;
    String host;
    String port = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw invalid("has an unclosed IPv6 bracket in " + where);
      }
      host = hostPort.substring(0, close + 1);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw invalid("has text after the IPv6 address in " + where);
        }
        port = after.substring(1);
      }
    } else {
      int colon = hostPort.indexOf(':');
      host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      port = colon < 0 ? null : hostPort.substring(colon + 1);
    }
    if (host.isEmpty() || host.equals("[]")) {
      throw invalid("has an empty host name in " + where);
    }
    if (!host.startsWith("[") && !host.matches("[A-Za-z0-9._-]+")) {
      throw invalid("has a host name with characters a host name cannot have in " + where);
    }
    return host + ":" + port(port, where, defaultPort);
  }

  private static int port(String port, String where, int defaultPort) {
    if (port == null) {
      return defaultPort;
    }
    try {
      int value = Integer.parseInt(port);
      if (value >= 1 && value <= 65535) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid("has a port that is not a number from 1 to 65535 in " + where);
  }

  /** Percent-decoding of user info (not form decoding: '+' stays '+'). */
  private static String decode(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw invalid("has a malformed %-escape in its credentials");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw invalid("has a malformed %-escape in its credentials");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        int codePoint = raw.codePointAt(i);
        byte[] bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        i += Character.charCount(codePoint) - 1;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static IllegalArgumentException invalid(String problem) {
    return new IllegalArgumentException(SETTING + " " + problem + "; " + FORMS);
  }
}
