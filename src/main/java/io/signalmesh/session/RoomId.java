package io.signalmesh.session;

import java.util.Objects;

/** A room's id: 1-128 characters of {@code [A-Za-z0-9_.:-]} (protocol.md). */
public record RoomId(String value) {

  public static final int MAX_LENGTH = 128;

  public RoomId {
    Objects.requireNonNull(value, "value");
    if (!isValid(value)) {
      throw new IllegalArgumentException("room id must be 1-128 characters of [A-Za-z0-9_.:-]");
    }
  }

  /** Checked on every join; a loop over the characters, not a regular expression, which cost a join more to run and to compile. */
  public static boolean isValid(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == ':' || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return value;
  }
}
