package io.signalmesh.routing;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Several frames of a node's stream in one event-bus message: the message's headers carry what
 * the frames share (sender, run, base, the receiver's run) and {@link LinkHeaders#BATCH} with their number;
 * its body holds each frame with what is its own: sequence number, first sending, its headers
 * (targets, room event) and its bytes. The receiver takes each frame as if it had come alone.
 *
 * <p>Body, per frame: {@code long seq, long at, int headerCount, (short keyLength, key, int
 * valueLength, value) per header, int frameLength, frame}; strings in UTF-8.
 */
final class LinkBatch {

  /** A frame's least size in a batch: sequence number, first sending, header count, frame length. */
  private static final int MIN_FRAME_BYTES = 8 + 8 + 4 + 4;
  /** Headers a batch carries for all its frames. */
  private static final List<String> SHARED = List.of(LinkHeaders.FROM, LinkHeaders.RUN, LinkHeaders.BASE, LinkHeaders.TO_RUN);

  /** One frame of a batch: its headers as a message of its own would carry them, and its bytes. */
  record Frame(MultiMap headers, byte[] bytes) {
  }

  private LinkBatch() {
  }

  static Buffer encode(List<NodeLink.Pending> frames) {
    int size = 0;
    for (NodeLink.Pending pending : frames) {
      size += 24 + pending.frame.length + 64;
    }
    Buffer body = Buffer.buffer(size);
    for (NodeLink.Pending pending : frames) {
      body.appendLong(pending.seq).appendLong(pending.firstSentMillis);
      List<Map.Entry<String, String>> headers = pending.headers == null ? List.of() : pending.headers.entries();
      body.appendInt(headers.size());
      for (Map.Entry<String, String> header : headers) {
        byte[] key = header.getKey().getBytes(StandardCharsets.UTF_8);
        byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
        body.appendShort((short) key.length).appendBytes(key).appendInt(value.length).appendBytes(value);
      }
      body.appendInt(pending.frame.length).appendBytes(pending.frame);
    }
    return body;
  }

  /**
   * The frames of a batch, each with the shared headers and its own.
   *
   * @throws IllegalArgumentException if the body does not hold the number of frames the headers say
   */
  static List<Frame> decode(MultiMap shared, Buffer body) {
    int count = Integer.parseInt(shared.get(LinkHeaders.BATCH));
    // the count sizes a list before the body is read: no more frames than the body has room for
    if (count < 1 || count > body.length() / MIN_FRAME_BYTES) {
      throw new IllegalArgumentException("batch of " + count + " frames in " + body.length() + " bytes");
    }
    List<Frame> frames = new ArrayList<>(count);
    int at = 0;
    try {
      for (int i = 0; i < count; i++) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String name : SHARED) {
          String value = shared.get(name);
          if (value != null) {
            headers.add(name, value);
          }
        }
        headers.add(LinkHeaders.SEQ, Long.toString(body.getLong(at)));
        headers.add(LinkHeaders.AT, Long.toString(body.getLong(at + 8)));
        int headerCount = body.getInt(at + 16);
        at += 20;
        for (int h = 0; h < headerCount; h++) {
          int keyLength = body.getShort(at);
          String key = body.getString(at + 2, end(body, at + 2, keyLength), "UTF-8");
          at += 2 + keyLength;
          int valueLength = body.getInt(at);
          headers.add(key, body.getString(at + 4, end(body, at + 4, valueLength), "UTF-8"));
          at += 4 + valueLength;
        }
        int length = body.getInt(at);
        frames.add(new Frame(headers, body.getBytes(at + 4, end(body, at + 4, length))));
        at += 4 + length;
      }
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("batch of " + count + " frames cut short after " + frames.size(), e);
    }
    if (at != body.length()) {
      throw new IllegalArgumentException("batch of " + count + " frames with " + (body.length() - at) + " bytes left over");
    }
    return frames;
  }

  /**
   * Where a field of {@code length} bytes from {@code start} ends, if it is inside the body: a
   * Buffer allocates the bytes it is asked for before it looks at its bounds.
   */
  private static int end(Buffer body, int start, int length) {
    if (length < 0 || length > body.length() - start) {
      throw new IndexOutOfBoundsException("field of " + length + " bytes at " + start + " of " + body.length());
    }
    return start + length;
  }
}
