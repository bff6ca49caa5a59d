package io.signalmesh.auth;

import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the {@code iceServers} of a {@code connected} message, ready for
 * {@code new RTCPeerConnection({iceServers})}: one entry with the STUN URLs, one with the TURN
 * URLs and a credential minted for the client.
 *
 * <p>TURN URLs without a TURN secret are left out. A browser refuses to build an
 * RTCPeerConnection from a {@code turn:} entry that has no username and credential
 * (InvalidAccessError), and a coturn with {@code use-auth-secret} would refuse the allocation
 * anyway; listing them would break every call instead of only losing the relay.
 */
public final class IceServers {

  private final List<String> stunUrls;
  private final List<String> turnUrls;
  private final TurnCredentials turnCredentials;
  /** The encoded array when it is the same for every client (no TURN credential to mint), else null. */
  private final String sameForAll;

  private IceServers(List<String> stunUrls, List<String> turnUrls, TurnCredentials turnCredentials) {
    this.stunUrls = stunUrls;
    this.turnUrls = turnUrls;
    this.turnCredentials = turnCredentials;
    this.sameForAll = mintsCredentials() ? null : forClient(new ClientId("-")).encode();
  }

  private boolean mintsCredentials() {
    return !turnUrls.isEmpty() && turnCredentials != null;
  }

  /**
   * {@link #forClient} as JSON text. Encoded once when no credential is minted: every session
   * start sends it, and encoding the same array again is wasted work on the event loop.
   */
  public String encodedFor(ClientId clientId) {
    return sameForAll != null ? sameForAll : forClient(clientId).encode();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** True if TURN URLs are configured but left out for want of a secret, so start-up can warn. */
  public boolean dropsTurnUrls() {
    return !turnUrls.isEmpty() && turnCredentials == null;
  }

  /** A new array on every call, with a fresh credential: callers may change it freely. */
  public JsonArray forClient(ClientId clientId) {
    Objects.requireNonNull(clientId, "clientId");
    JsonArray servers = new JsonArray();
    if (!stunUrls.isEmpty()) {
      servers.add(new JsonObject().put("urls", new JsonArray(new ArrayList<>(stunUrls))));
    }
    if (mintsCredentials()) {
      TurnCredential credential = turnCredentials.forClient(clientId);
      servers.add(new JsonObject()
          .put("urls", new JsonArray(new ArrayList<>(turnUrls)))
          .put("username", credential.username())
          .put("credential", credential.credential()));
    }
    return servers;
  }

  /** Collects the configured URLs; {@link #build()} checks them so a typo fails at start-up. */
  public static final class Builder {

    private List<String> stunUrls = List.of();
    private List<String> turnUrls = List.of();
    private TurnCredentials turnCredentials;

    private Builder() {}

    /** {@code stun:} or {@code stuns:} URLs. */
    public Builder stunUrls(List<String> urls) {
      this.stunUrls = List.copyOf(Objects.requireNonNull(urls, "stunUrls"));
      return this;
    }

    /** {@code turn:} or {@code turns:} URLs. */
    public Builder turnUrls(List<String> urls) {
      this.turnUrls = List.copyOf(Objects.requireNonNull(urls, "turnUrls"));
      return this;
    }

    /** The TURN secret's credential minter, or null when no TURN secret is configured. */
    public Builder turnCredentials(TurnCredentials credentials) {
      this.turnCredentials = credentials;
      return this;
    }

    public IceServers build() {
      checkSchemes(stunUrls, "STUN", "stun:", "stuns:");
      checkSchemes(turnUrls, "TURN", "turn:", "turns:");
      return new IceServers(stunUrls, turnUrls, turnCredentials);
    }

    private static void checkSchemes(List<String> urls, String kind, String plain, String secure) {
      for (String url : urls) {
        if (!(url.startsWith(plain) || url.startsWith(secure)) || url.substring(url.indexOf(':') + 1).isBlank()) {
          throw new IllegalArgumentException(
              kind + " URL '" + url + "' must start with " + plain + " or " + secure + " and name a host");
        }
      }
    }
  }
}
