package io.signalmesh.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Webhooks: room and participant events POSTed to each URL, signed with the secret (off without
 * URLs). A URL is never echoed whole in an error: its path or query may hold a token.
 *
 * @param urls {@code --webhook-url}: http(s) receivers, each gets every event
 * @param secret {@code --webhook-secret}: HMAC-SHA256 key of the signature, required with URLs
 * @param timeout {@code --webhook-timeout}: longest one delivery attempt may take
 */
public record WebhookConfig(List<String> urls, String secret, Duration timeout) {

  /** Shortest secret accepted: the signature is only as strong as the key. */
  public static final int MIN_SECRET_BYTES = 16;

  public WebhookConfig {
    urls = List.copyOf(urls);
    Settings.positive("--webhook-timeout", timeout);
    Set<URI> seen = new HashSet<>();
    for (int i = 0; i < urls.size(); i++) {
      URI uri = parse(urls.get(i), i + 1);
      if (!seen.add(uri.normalize())) {
        throw new ConfigException("--webhook-url", "number " + (i + 1) + " repeats an earlier one");
      }
    }
    if (!urls.isEmpty()) {
      if (secret == null || secret.isBlank()) {
        throw new ConfigException("--webhook-secret", "is required with --webhook-url (receivers check each event's signature with it)");
      }
      if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new ConfigException("--webhook-secret", "must be at least " + MIN_SECRET_BYTES + " bytes");
      }
    }
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "WebhookConfig[urls=" + urls.size() + ", secret=" + (secret == null ? "none" : "***") + ", timeout=" + timeout + "]";
  }

  /** True if any URL is configured. */
  public boolean enabled() {
    return !urls.isEmpty();
  }

  private static URI parse(String url, int number) {
    String which = "number " + number;
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException("--webhook-url", which + " is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ConfigException("--webhook-url", which + " must start with http:// or https://");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new ConfigException("--webhook-url", which + " names no host");
    }
    if (uri.getPort() > 65535) {
      throw new ConfigException("--webhook-url", which + " has a port above 65535");
    }
    if (uri.getRawUserInfo() != null) {
      throw new ConfigException("--webhook-url", which + " carries user:password, which is not supported (the signature authenticates the sender)");
    }
    if (uri.getRawFragment() != null) {
      throw new ConfigException("--webhook-url", which + " has a #fragment, which is never sent");
    }
    return uri;
  }
}
