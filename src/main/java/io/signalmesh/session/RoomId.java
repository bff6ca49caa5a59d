package io.signalmesh.session;

import java.util.Objects;
import java.util.regex.Pattern;

/** A room's id: 1-128 characters of {@code [A-Za-z0-9_.:-]} (protocol.md). */
public record RoomId(String value) {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  public RoomId {
    Objects.requireNonNull(value, "value");
    if (!isValid(value)) {
      throw new IllegalArgumentException("room id must be 1-128 characters of [A-Za-z0-9_.:-]");
    }
  }

  public static boolean isValid(String value) {
    return value != null && VALID.matcher(value).matches();
  }

  @Override
  public String toString() {
    return value;
  }
}
