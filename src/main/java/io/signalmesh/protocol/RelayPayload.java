package io.signalmesh.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.signalmesh.session.ClientId;

/**
 * What a relay passes on: the top-level members of the sender's frame as they came (their
 * text, not a re-encoding), without {@code targetId} and without any {@code senderId} the
 * client put there.
 */
public final class RelayPayload {

  private final String text;
  private final int[] spans;
  private final int count;

  RelayPayload(String text, int[] spans, int count) {
    this.text = text;
    this.spans = spans;
    this.count = count;
  }

  /** The relayed frame: the members in their order, then {@code senderId}. */
  String withSender(ClientId sender) {
    StringBuilder out = new StringBuilder(text.length() + sender.value().length() + 16);
    out.append('{');
    for (int i = 0; i < count; i++) {
      out.append(text, spans[i * 2], spans[i * 2 + 1]).append(',');
    }
    out.append("\"senderId\":\"");
    JsonStringEncoder.getInstance().quoteAsString(sender.value(), out);
    return out.append("\"}").toString();
  }
}
