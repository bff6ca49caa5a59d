package io.signalmesh.protocol;

/**
 * Strict UTF-8 checks on a frame's bytes. A relay passes the sender's bytes on as a text frame,
 * and the receiving browser fails the whole connection on invalid UTF-8 (RFC 6455, 8.1), so
 * bytes are passed on only once they are known to be valid. Vert.x does not check the UTF-8 of
 * incoming text frames.
 */
final class Utf8 {

  private Utf8() {
  }

  /**
   * True if the bytes are well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
   * above U+10FFFF, no truncated sequence.
   */
  static boolean isValid(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to) {
      int b = bytes[i];
      if (b >= 0) {
        i++;
        continue;
      }
      int lead = b & 0xFF;
      if (lead < 0xC2) {
        return false; // a continuation byte first, or an overlong two-byte form
      }
      if (lead < 0xE0) {
        if (i + 1 >= to || !continuation(bytes[i + 1])) {
          return false;
        }
        i += 2;
      } else if (lead < 0xF0) {
        if (i + 2 >= to || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2])) {
          return false;
        }
        int second = bytes[i + 1] & 0xFF;
        if (lead == 0xE0 && second < 0xA0 || lead == 0xED && second >= 0xA0) {
          return false; // overlong, or a surrogate (U+D800-U+DFFF)
        }
        i += 3;
      } else if (lead < 0xF5) {
        if (i + 3 >= to || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])) {
          return false;
        }
        int second = bytes[i + 1] & 0xFF;
        if (lead == 0xF0 && second < 0x90 || lead == 0xF4 && second >= 0x90) {
          return false; // overlong, or above U+10FFFF
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xC0) == 0x80;
  }
}
