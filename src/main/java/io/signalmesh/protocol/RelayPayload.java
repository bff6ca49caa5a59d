package io.signalmesh.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.signalmesh.session.ClientId;
import java.nio.charset.StandardCharsets;

/**
 * What a relay passes on: the top-level members of the sender's frame as they came (their
 * bytes, not a re-encoding), without {@code targetId} and without any {@code senderId} the
 * client put there.
 */
public final class RelayPayload {

  private static final byte[] SENDER_ID = ",\"senderId\":\"".getBytes(StandardCharsets.US_ASCII);

  private final byte[] utf8;
  private final int[] spans;
  private final int count;

  RelayPayload(byte[] utf8, int[] spans, int count) {
    this.utf8 = utf8;
    this.spans = spans;
    this.count = count;
  }

  /** The relayed frame as UTF-8: the members in their order, then {@code senderId}. */
  byte[] withSenderUtf8(ClientId sender) {
    byte[] id = quoted(sender.value());
    // '{', each member and the comma after it, then "senderId":"<id>"}
    int length = 1 + SENDER_ID.length - 1 + id.length + 2;
    for (int i = 0; i < count; i++) {
      length += spans[i * 2 + 1] - spans[i * 2] + 1;
    }
    byte[] out = new byte[length];
    int at = 0;
    out[at++] = '{';
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        out[at++] = ',';
      }
      int from = spans[i * 2];
      int span = spans[i * 2 + 1] - from;
      System.arraycopy(utf8, from, out, at, span);
      at += span;
    }
    // with no member kept, senderId is the first member: no comma before it
    int comma = count == 0 ? 1 : 0;
    System.arraycopy(SENDER_ID, comma, out, at, SENDER_ID.length - comma);
    at += SENDER_ID.length - comma;
    System.arraycopy(id, 0, out, at, id.length);
    at += id.length;
    out[at++] = '"';
    out[at] = '}';
    return out;
  }

  /** The relayed frame as text (see {@link #withSenderUtf8}). */
  String withSender(ClientId sender) {
    return new String(withSenderUtf8(sender), StandardCharsets.UTF_8);
  }

  /** The id as the inside of a JSON string; ids the server makes need no escaping, and are not copied twice. */
  private static byte[] quoted(String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
        return JsonStringEncoder.getInstance().quoteAsUTF8(id);
      }
    }
    return id.getBytes(StandardCharsets.US_ASCII);
  }
}
