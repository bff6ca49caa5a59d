package io.signalmesh.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Port 0 ("any free port") for the signaling server, which several verticle instances share:
 * Vert.x shares a server between instances by the port asked for, so instances asking for 0
 * would each get their own port. One free port is chosen up front instead.
 */
final class FreePort {

  private FreePort() {}

  static int resolve(String host, int port) {
    if (port != 0) {
      return port;
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }
}
