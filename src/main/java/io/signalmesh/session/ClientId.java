package io.signalmesh.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * A client's identity in the mesh, chosen by the server. 128 random bits, URL-safe base64
 * (22 characters): unguessable, so knowing a peer's id never lets anyone act as that peer.
 */
public record ClientId(String value) {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Longest id accepted from the network; real ids are 22 characters. */
  public static final int MAX_LENGTH = 64;

  public ClientId {
    Objects.requireNonNull(value, "value");
  }

  public static ClientId random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return new ClientId(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  @Override
  public String toString() {
    return value;
  }
}
