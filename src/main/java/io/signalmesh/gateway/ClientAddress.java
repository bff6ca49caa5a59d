package io.signalmesh.gateway;

import io.signalmesh.config.AbuseLimits;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * Who a connection comes from, for the per-address limits: the socket's remote address, or the
 * first {@code X-Forwarded-For} entry when the socket comes from a trusted proxy (anyone else
 * could write that header).
 */
final class ClientAddress {

  private ClientAddress() {}

  static String of(SocketAddress remote, MultiMap headers, List<String> trustedProxies) {
    String socketAddress = remote == null ? "unknown" : remote.hostAddress();
    String canonical = AbuseLimits.canonicalIp(socketAddress);
    String peer = canonical == null ? socketAddress : canonical;
    if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
      return peer;
    }
    String forwarded = headers.get("X-Forwarded-For");
    if (forwarded == null) {
      return peer;
    }
    int comma = forwarded.indexOf(',');
    String first = (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim();
    String client = AbuseLimits.canonicalIp(first);
    // a proxy that sends garbage is counted as itself rather than as a name it made up
    return client == null ? peer : client;
  }
}
