package io.signalmesh.session;

/**
 * The transport under a session (a WebSocket in the gateway). {@link #send} may be called from
 * any thread and never blocks or buffers without bound: a client that does not read is cut off.
 */
public interface Connection {

  /** Queues one text frame; false if the connection is closed or was just cut off as too slow. */
  boolean send(String frame);

  /** Sends a close frame with the code and reason and closes the connection. */
  void close(short code, String reason);

  /** The remote address, for logs. */
  String remoteAddress();
}
