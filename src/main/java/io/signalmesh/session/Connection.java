package io.signalmesh.session;

import java.nio.charset.StandardCharsets;

/**
 * The transport under a session (a WebSocket in the gateway). {@link #send} may be called from
 * any thread and never blocks or buffers without bound: a client that does not read is cut off.
 */
public interface Connection {

  /** Queues one text frame; false if the connection is closed or was just cut off as too slow. */
  boolean send(String frame);

  /**
   * Queues one text frame given as its UTF-8 bytes (valid UTF-8, not changed afterwards): a
   * relay passes on the sender's bytes without decoding and encoding them again.
   */
  default boolean sendUtf8(byte[] frame) {
    return send(new String(frame, StandardCharsets.UTF_8));
  }

  /** Sends a close frame with the code and reason and closes the connection. */
  void close(short code, String reason);

  /** The remote address, for logs. */
  String remoteAddress();
}
