package io.signalmesh.webhook;

import io.signalmesh.presence.RedisPresenceKeys;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code --webhook-url}: where events are POSTed, the name logs and metrics use for it (scheme,
 * host and port only: a path or query may hold a token), and its outbox stream in Redis, named by a
 * hash of the URL so that the key reveals nothing either.
 *
 * @param url the URL as configured (already validated by the config)
 * @param label {@code https://host:port}, with {@code #n} (its position among the URLs) when two share it
 * @param streamKey {@code <prefix>webhooks:{<first 16 hex of sha256(url)>}}, the prefix {@code signalmesh:} by default
 */
public record Receiver(String url, String label, String streamKey) {

  /** The receivers of the configured URLs, in order, with their streams under the default key prefix. */
  public static List<Receiver> of(List<String> urls) {
    return of(urls, RedisPresenceKeys.DEFAULT);
  }

  /** The receivers of the configured URLs, in order, with their streams under {@code keys}'s prefix. */
  public static List<Receiver> of(List<String> urls, RedisPresenceKeys keys) {
    List<String> origins = urls.stream().map(Receiver::origin).toList();
    Map<String, Integer> counts = new HashMap<>();
    origins.forEach(origin -> counts.merge(origin, 1, Integer::sum));
    List<Receiver> receivers = new ArrayList<>(urls.size());
    for (int i = 0; i < urls.size(); i++) {
      String origin = origins.get(i);
      String label = counts.get(origin) > 1 ? origin + "#" + (i + 1) : origin;
      String url = urls.get(i).strip();
      receivers.add(new Receiver(url, label, keys.webhookStream(sha256(url).substring(0, 16))));
    }
    return receivers;
  }

  /** Replaces the URL in a message (an error text from the HTTP client) by the label. */
  String redact(String message) {
    return message == null ? null : message.replace(url, label);
  }

  private static String origin(String url) {
    URI uri = URI.create(url.strip());
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + uri.getHost() + ":" + port;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
