package io.signalmesh.gateway;

import io.signalmesh.testsupport.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * An upgrade request on a plain socket from a chosen local address (any 127.x.y.z reaches the
 * node on Linux), for the per-address limits: the status of the answer, how long the first
 * WebSocket bytes take after it, and whether the server ends the connection.
 */
final class RawUpgrade implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private int status;

  private RawUpgrade(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /** Opens a TCP connection from {@code localAddress} without sending anything. */
  static RawUpgrade open(String localAddress, int port) {
    try {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TestClient.TIMEOUT.toMillis());
      socket.setSoTimeout((int) TestClient.TIMEOUT.toMillis());
      return new RawUpgrade(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a whole upgrade request and reads the status line and headers of the answer. */
  static RawUpgrade upgrade(String localAddress, int port, String pathAndQuery, Map<String, String> headers) {
    return upgrade(localAddress, port, pathAndQuery, headers, "");
  }

  /** The same with {@code body} sent right after the headers (as the headers announce it). */
  static RawUpgrade upgrade(String localAddress, int port, String pathAndQuery, Map<String, String> headers,
      String body) {
    RawUpgrade upgrade = open(localAddress, port);
    upgrade.sendUpgrade(pathAndQuery, headers, body);
    return upgrade;
  }

  void sendUpgrade(String pathAndQuery, Map<String, String> headers, String body) {
    StringBuilder request = new StringBuilder()
        .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\n")
        .append("Upgrade: websocket\r\n")
        .append("Connection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(new byte[16])).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    request.append("\r\n").append(body);
    send(request.toString());
    String statusLine = readLine();
    status = Integer.parseInt(statusLine.split(" ", 3)[1]);
    while (!readLine().isEmpty()) {
      // headers: not needed
    }
  }

  /** Writes raw text, for example half of a request. */
  void send(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int status() {
    return status;
  }

  /** Milliseconds until the server sends the first byte after the handshake (its first frame). */
  long millisToFirstByte() {
    long start = System.nanoTime();
    try {
      if (in.read() < 0) {
        throw new IllegalStateException("connection ended without a frame");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Reads until the server ends the connection; true if it did within the deadline. */
  boolean awaitEndOfStream(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    try {
      socket.setSoTimeout((int) Math.max(1, within.toMillis()));
      byte[] buffer = new byte[4096];
      while (System.nanoTime() < deadline) {
        try {
          if (in.read(buffer) < 0) {
            return true;
          }
        } catch (SocketTimeoutException e) {
          return false;
        }
      }
      return false;
    } catch (IOException e) {
      // a reset is an end too
      return true;
    }
  }

  private String readLine() {
    try {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IllegalStateException("connection ended in the handshake answer");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
