package io.signalmesh.testsupport.netns;

import io.signalmesh.testsupport.Wait;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} inside a test namespace, without persistence, and a small RESP
 * client to inspect it from the root namespace (across the back bridge).
 */
public final class NamespacedRedis implements AutoCloseable {

  public static final int PORT = 6379;

  private final TestNetwork.Host host;
  private final Path dir;
  private final Process process;

  private NamespacedRedis(TestNetwork.Host host, Path dir, Process process) {
    this.host = host;
    this.dir = dir;
    this.process = process;
  }

  public static NamespacedRedis start(TestNetwork network) {
    TestNetwork.Host host = network.redisHost();
    try {
      Path dir = Files.createTempDirectory("netns-redis-");
      Process process = new ProcessBuilder(network.inNamespace(host, List.of("redis-server", "--bind", host.backAddress(),
          "--port", Integer.toString(PORT), "--save", "", "--appendonly", "no", "--protected-mode", "no",
          "--dir", dir.toString(), "--daemonize", "no")))
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
      NamespacedRedis redis = new NamespacedRedis(host, dir, process);
      Wait.until("redis-server in " + host.namespace() + " to answer PING", Duration.ofSeconds(15), redis::answers);
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server in a namespace", e);
    }
  }

  /** The {@code --redis} URL the nodes use. */
  public String url() {
    return "redis://" + host.backAddress() + ":" + PORT;
  }

  /** One command; the reply as a String, Long, List (of replies) or null. */
  public Object command(String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host.backAddress(), PORT), 2_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("redis in " + host.namespace() + ": " + String.join(" ", args), e);
    }
  }

  /** A command whose reply is a list of strings (SMEMBERS, HKEYS, KEYS). */
  @SuppressWarnings("unchecked")
  public List<String> strings(String... args) {
    List<String> result = new ArrayList<>();
    for (Object item : (List<Object>) command(args)) {
      result.add(String.valueOf(item));
    }
    return result;
  }

  private boolean answers() {
    if (!process.isAlive()) {
      throw new IllegalStateException("redis-server exited; see " + dir.resolve("redis.log"));
    }
    try {
      return "PONG".equals(command("PING"));
    } catch (UncheckedIOException notYet) {
      return false;
    }
  }

  private static Object read(InputStream in) throws IOException {
    String line = line(in);
    return switch (line.charAt(0)) {
      case '+' -> line.substring(1);
      case '-' -> throw new IOException("redis error: " + line.substring(1));
      case ':' -> Long.parseLong(line.substring(1));
      case '$' -> {
        int length = Integer.parseInt(line.substring(1));
        if (length < 0) {
          yield null;
        }
        byte[] data = in.readNBytes(length + 2);
        yield new String(data, 0, length, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int count = Integer.parseInt(line.substring(1));
        if (count < 0) {
          yield null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(read(in));
        }
        yield items;
      }
      default -> throw new IOException("unexpected reply: " + line);
    };
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\r') {
        in.read();
        return line.toString();
      }
      line.append((char) c);
    }
    throw new IOException("connection closed mid-reply");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
