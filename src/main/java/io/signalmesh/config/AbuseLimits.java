package io.signalmesh.config;

import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What protects the signaling port from strangers before and around a session (docs/security.md).
 *
 * @param allowedOrigins exact {@code Origin} values a WebSocket upgrade may carry; {@code *} allows any.
 *     An upgrade without {@code Origin} (not a browser) is always allowed.
 * @param maxConnectionsPerIp WebSocket connections one client address may hold at once
 * @param trustedProxies addresses whose {@code X-Forwarded-For} names the client
 * @param joinRatePerSecond joins a connection may send per second, sustained
 * @param joinBurst joins a connection may send at once
 * @param handshakeTimeout a connection that has not sent a whole request (the upgrade) by then is closed
 * @param authFailureDelay the delay after the first bad room token or unknown resume token from an
 *     address; it doubles with each further failure up to {@code authFailureMaxDelay}
 * @param authFailureMaxDelay the longest such delay
 */
public record AbuseLimits(
    List<String> allowedOrigins,
    int maxConnectionsPerIp,
    List<String> trustedProxies,
    int joinRatePerSecond,
    int joinBurst,
    Duration handshakeTimeout,
    Duration authFailureDelay,
    Duration authFailureMaxDelay) {

  /** An address with no failure for this long starts again from no delay. */
  public static final Duration AUTH_FAILURE_MEMORY = Duration.ofMinutes(1);
  public static final String ANY_ORIGIN = "*";
  private static final Pattern ORIGIN = Pattern.compile("https?://[^/\\s?#]+");

  public AbuseLimits {
    allowedOrigins = allowedOrigins.stream().map(o -> o.trim().toLowerCase(Locale.ROOT)).toList();
    if (allowedOrigins.isEmpty()) {
      throw new ConfigException("--allowed-origins", "must name at least one origin, or * for any");
    }
    for (String origin : allowedOrigins) {
      if (!ANY_ORIGIN.equals(origin) && !ORIGIN.matcher(origin).matches()) {
        throw new ConfigException("--allowed-origins",
            "'" + origin + "' must be * or scheme://host[:port] without a path (as a browser sends it)");
      }
    }
    Settings.atLeast("--max-connections-per-ip", maxConnectionsPerIp, 1);
    trustedProxies = trustedProxies.stream().map(String::trim).map(AbuseLimits::normalizeIp).toList();
    Settings.atLeast("--join-rate", joinRatePerSecond, 1);
    Settings.atLeast("--join-burst", joinBurst, 1);
    Settings.positive("--handshake-timeout", handshakeTimeout);
    Settings.notNegative("--auth-failure-delay", authFailureDelay);
    Settings.notNegative("--auth-failure-max-delay", authFailureMaxDelay);
    if (authFailureMaxDelay.compareTo(authFailureDelay) < 0) {
      throw new ConfigException("--auth-failure-max-delay", "must not be shorter than --auth-failure-delay");
    }
  }

  public boolean anyOrigin() {
    return allowedOrigins.contains(ANY_ORIGIN);
  }

  /**
   * The canonical text of an IP literal (no name lookups), so that {@code ::1} and
   * {@code 0:0:0:0:0:0:0:1} compare equal; null if the text is not an IP address.
   */
  public static String canonicalIp(String text) {
    if (text == null) {
      return null;
    }
    String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(bare);
    return bytes == null ? null : NetUtil.bytesToIpAddress(bytes);
  }

  private static String normalizeIp(String text) {
    String ip = canonicalIp(text);
    if (ip == null) {
      throw new ConfigException("--trusted-proxies", "'" + text + "' is not an IP address");
    }
    return ip;
  }
}
