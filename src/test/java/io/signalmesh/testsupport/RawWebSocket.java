package io.signalmesh.testsupport;

import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain socket, for what a well-behaved client (and the JDK's) cannot
 * do: offer extensions in the handshake, send frames with RSV bits or a header announcing a
 * huge payload, withhold pongs, or never read at all with a small receive buffer. Reads are
 * blocking with a deadline; nothing sleeps.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int OP_CONTINUATION = 0x0;
  public static final int OP_TEXT = 0x1;
  public static final int OP_BINARY = 0x2;
  public static final int OP_CLOSE = 0x8;
  public static final int OP_PING = 0x9;
  public static final int OP_PONG = 0xA;
  /** What {@link #awaitClose} reports when the connection ended without a close frame. */
  public static final int NO_CLOSE_FRAME = 1006;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int status;
  private final Map<String, String> headers;
  private boolean answerPings = true;
  private int pingsSeen;

  /** One frame as it came off the wire. */
  public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame (1005 if it carries none). */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  private RawWebSocket(Socket socket, InputStream in, OutputStream out, int status, Map<String, String> headers) {
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.status = status;
    this.headers = headers;
  }

  /** Opens a connection and sends the upgrade request; the handshake's status is in {@link #status()}. */
  public static RawWebSocket connect(int port, String pathAndQuery) {
    return connect(port, pathAndQuery, Map.of(), 0);
  }

  /**
   * @param extraHeaders added to the upgrade request (for example {@code Sec-WebSocket-Extensions})
   * @param receiveBufferBytes the socket's receive buffer, set before connecting; 0 for the default
   */
  public static RawWebSocket connect(int port, String pathAndQuery, Map<String, String> extraHeaders,
      int receiveBufferBytes) {
    return connect(null, port, pathAndQuery, extraHeaders, receiveBufferBytes);
  }

  /**
   * The same from a chosen loopback address (any 127.x.y.z reaches the node on Linux), for
   * clients that must count as other addresses than the test's own.
   *
   * @param localAddress the address to connect from, or null for any
   */
  public static RawWebSocket connect(String localAddress, int port, String pathAndQuery,
      Map<String, String> extraHeaders, int receiveBufferBytes) {
    try {
      Socket socket = new Socket();
      if (receiveBufferBytes > 0) {
        socket.setReceiveBufferSize(receiveBufferBytes);
      }
      if (localAddress != null) {
        socket.bind(new InetSocketAddress(java.net.InetAddress.getByName(localAddress), 0));
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TestClient.TIMEOUT.toMillis());
      socket.setSoTimeout((int) TestClient.TIMEOUT.toMillis());
      InputStream in = new BufferedInputStream(socket.getInputStream(), 1024);
      OutputStream out = socket.getOutputStream();
      byte[] nonce = new byte[16];
      RANDOM.nextBytes(nonce);
      StringBuilder request = new StringBuilder()
          .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("Upgrade: websocket\r\n")
          .append("Connection: Upgrade\r\n")
          .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
          .append("Sec-WebSocket-Version: 13\r\n");
      extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      request.append("\r\n");
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String statusLine = readLine(in);
      String[] parts = statusLine.split(" ", 3);
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      return new RawWebSocket(socket, in, out, status, headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The HTTP status of the upgrade response (101 when accepted). */
  public int status() {
    return status;
  }

  /** A response header of the handshake, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** Whether server pings are answered while reading (true by default). */
  public RawWebSocket answerPings(boolean answer) {
    this.answerPings = answer;
    return this;
  }

  /** How many pings the server sent that this client has read. */
  public int pingsSeen() {
    return pingsSeen;
  }

  public void sendText(String text) {
    sendFrame(true, 0, OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  public void sendText(JsonObject message) {
    sendText(message.encode());
  }

  /** Sends one masked frame with the given FIN flag, RSV bits (0-7) and opcode. */
  public void sendFrame(boolean fin, int rsv, int opcode, byte[] payload) {
    try {
      // one write for the whole frame: a server that refuses it on its header must not find the
      // rest still arriving (the client would then see a broken pipe instead of the close)
      java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream(payload.length + 14);
      frame.write(header(fin, rsv, opcode, payload.length));
      byte[] mask = new byte[4];
      RANDOM.nextBytes(mask);
      frame.write(mask);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
      out.write(frame.toByteArray());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends only the header (and mask) of a frame announcing {@code length} payload bytes, and no payload. */
  public void sendFrameHeader(int opcode, long length) {
    try {
      out.write(header(true, 0, opcode, length));
      out.write(new byte[4]);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The next data or close frame; pings are counted (and answered if {@link #answerPings}).
   *
   * @throws EOFException (unchecked as UncheckedIOException) if the connection ended
   */
  public Frame readFrame() {
    try {
      while (true) {
        Frame frame = readRawFrame();
        if (frame.opcode() == OP_PING) {
          pingsSeen++;
          if (answerPings) {
            sendFrame(true, 0, OP_PONG, frame.payload());
          }
          continue;
        }
        if (frame.opcode() == OP_PONG) {
          continue;
        }
        return frame;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads until a text message of this type arrives (others are skipped); fails on close or timeout. */
  public JsonObject expect(String type) {
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode() == OP_CLOSE) {
        return fail("connection closed (" + frame.closeCode() + ") while waiting for '" + type + "'");
      }
      if (frame.opcode() == OP_TEXT) {
        JsonObject message = new JsonObject(frame.text());
        if (type.equals(message.getString("type"))) {
          return message;
        }
      }
    }
  }

  /**
   * Reads (and discards) until the server closes: the close frame's code, or {@link #NO_CLOSE_FRAME}
   * if the connection ended without one. Fails if neither happens within {@code within}.
   */
  public int awaitClose(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return fail("connection not closed within " + within);
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        Frame frame = readFrame();
        if (frame.opcode() == OP_CLOSE) {
          return frame.closeCode();
        }
      }
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof SocketTimeoutException) {
        return fail("connection not closed within " + within);
      }
      return NO_CLOSE_FRAME;
    } catch (SocketException e) {
      return NO_CLOSE_FRAME;
    }
  }

  /** Reads until the server has sent {@code count} pings in all; fails on a data or close frame or the deadline. */
  public void awaitPings(int count) {
    while (pingsSeen < count) {
      try {
        Frame frame = readRawFrame();
        if (frame.opcode() == OP_PING) {
          pingsSeen++;
          if (answerPings) {
            sendFrame(true, 0, OP_PONG, frame.payload());
          }
        } else if (frame.opcode() != OP_PONG) {
          fail("expected pings, got frame " + frame.opcode() + ": " + frame.text());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** True once the server has closed the TCP connection (reads and discards anything pending). */
  public boolean awaitEndOfStream(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    byte[] sink = new byte[64 * 1024];
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a test socket
    }
  }

  private Frame readRawFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = ((long) readByte() << 8) | readByte();
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | readByte();
      }
    }
    if ((b1 & 0x80) != 0) {
      throw new IOException("server frames must not be masked");
    }
    byte[] payload = in.readNBytes((int) length);
    if (payload.length != length) {
      throw new EOFException("connection ended inside a frame");
    }
    return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0x0F, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection ended");
    }
    return b;
  }

  private static byte[] header(boolean fin, int rsv, int opcode, long length) {
    ByteBuffer header = ByteBuffer.allocate(10);
    header.put((byte) ((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0F)));
    if (length < 126) {
      header.put((byte) (0x80 | length));
    } else if (length <= 0xFFFF) {
      header.put((byte) (0x80 | 126)).putShort((short) length);
    } else {
      header.put((byte) (0x80 | 127)).putLong(length);
    }
    byte[] bytes = new byte[header.position()];
    header.flip().get(bytes);
    return bytes;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection ended during the handshake");
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
  }
}
