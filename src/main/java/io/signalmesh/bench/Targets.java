package io.signalmesh.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The WebSocket URLs a run spreads its clients over, round robin: client {@code i} goes to
 * {@code urls[i % n]}, so with rooms of 2 and two URLs the partners are always on different nodes.
 * Only loopback targets are accepted unless remote targets are allowed explicitly: a load
 * generator pointed at someone else's server by a typo is an attack.
 */
public final class Targets {

  private final List<String> urls;

  private Targets(List<String> urls) {
    this.urls = List.copyOf(urls);
  }

  /** Validates the URLs; the message of the exception names the offending one. */
  public static Targets of(List<String> urls, boolean allowRemote) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one --url is needed");
    }
    for (String url : urls) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a URL: " + url);
      }
      if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
        throw new IllegalArgumentException("not a ws:// or wss:// URL: " + url);
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host in " + url);
      }
      if (!allowRemote && !isLoopback(uri.getHost())) {
        throw new IllegalArgumentException("not a loopback target: " + url + " (pass --allow-remote to load a remote server)");
      }
    }
    return new Targets(urls);
  }

  static boolean isLoopback(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      for (InetAddress address : InetAddress.getAllByName(bare)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The URL of the {@code index}-th client. */
  public String forClient(int index) {
    return urls.get(Math.floorMod(index, urls.size()));
  }

  public List<String> urls() {
    return urls;
  }
}
