package io.signalmesh.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

/**
 * Reassembles fragmented WebSocket messages under one size limit, so that a message split into
 * many small frames is held to the same bound as a single large frame. Messages are handed on as
 * their bytes, undecoded (a relay passes them on as bytes). Confined to the connection's event loop.
 */
final class MessageAssembler {

  /** What a frame came to. */
  enum Outcome { MESSAGE, INCOMPLETE, CONTROL, BINARY, TOO_LARGE }

  /** @param utf8 the whole message's bytes as they came (a fresh array), for {@code MESSAGE} */
  record Result(Outcome outcome, byte[] utf8) {
    static final Result INCOMPLETE = new Result(Outcome.INCOMPLETE, null);
    static final Result CONTROL = new Result(Outcome.CONTROL, null);
    static final Result BINARY = new Result(Outcome.BINARY, null);
    static final Result TOO_LARGE = new Result(Outcome.TOO_LARGE, null);
  }

  private final int maxBytes;
  private Buffer partial;

  MessageAssembler(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  Result add(WebSocketFrame frame) {
    if (frame.isBinary()) {
      return Result.BINARY;
    }
    if (frame.isText()) {
      Buffer data = frame.binaryData();
      if (data.length() > maxBytes) {
        return Result.TOO_LARGE;
      }
      if (frame.isFinal()) {
        partial = null;
        return new Result(Outcome.MESSAGE, data.getBytes());
      }
      partial = Buffer.buffer(Math.min(maxBytes, data.length() * 2)).appendBuffer(data);
      return Result.INCOMPLETE;
    }
    if (frame.isContinuation()) {
      if (partial == null) {
        // a continuation of a binary message (already refused) or of nothing
        return Result.BINARY;
      }
      if (partial.length() + frame.binaryData().length() > maxBytes) {
        partial = null;
        return Result.TOO_LARGE;
      }
      partial.appendBuffer(frame.binaryData());
      if (!frame.isFinal()) {
        return Result.INCOMPLETE;
      }
      byte[] whole = partial.getBytes();
      partial = null;
      return new Result(Outcome.MESSAGE, whole);
    }
    return Result.CONTROL;
  }
}
