package io.signalmesh.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** The commands a redis-server ran ({@code INFO commandstats}), to count what an operation costs. */
public final class CommandStats {

  private final int port;

  public CommandStats(int port) {
    this.port = port;
  }

  /** Starts counting from zero (CONFIG RESETSTAT). */
  public void reset() {
    exchange("*2\r\n$6\r\nCONFIG\r\n$9\r\nRESETSTAT\r\n");
  }

  /** Calls per command since the last reset, e.g. {@code evalsha -> 3}; scripts' inner commands included. */
  public Map<String, Long> calls() {
    String info = exchange("*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n");
    Map<String, Long> calls = new TreeMap<>();
    for (String line : info.split("\r\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        int from = line.indexOf("calls=") + "calls=".length();
        calls.put(name, Long.parseLong(line.substring(from, line.indexOf(',', from))));
      }
    }
    calls.remove("info");
    calls.remove("config|resetstat");
    return calls;
  }

  /** One field of {@code INFO <section>}, e.g. {@code info("clients", "blocked_clients")}; null if absent. */
  public String info(String section, String field) {
    String info = exchange("*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n");
    for (String line : info.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  private String exchange(String request) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String header = readLine(in);
      if (header.startsWith("+")) {
        return header.substring(1);
      }
      if (!header.startsWith("$")) {
        throw new IOException("unexpected reply " + header);
      }
      byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)));
      return new String(body, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server on port " + port, e);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
