package io.signalmesh.gateway;

/** Searches in a message's bytes, for the cheap checks made before a message is parsed. */
final class Bytes {

  private Bytes() {
  }

  static boolean contains(byte[] bytes, byte b) {
    for (byte x : bytes) {
      if (x == b) {
        return true;
      }
    }
    return false;
  }

  /** True if {@code part} occurs in {@code bytes}. */
  static boolean contains(byte[] bytes, byte[] part) {
    if (part.length == 0) {
      return true;
    }
    byte first = part[0];
    int last = bytes.length - part.length;
    outer:
    for (int i = 0; i <= last; i++) {
      if (bytes[i] != first) {
        continue;
      }
      for (int j = 1; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
