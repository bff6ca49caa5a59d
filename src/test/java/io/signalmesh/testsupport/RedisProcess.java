package io.signalmesh.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} process for tests, with a configuration file of its own (a standalone
 * server, a cluster node, a replica, a sentinel), without a system Redis service. On loopback it
 * takes a free port; {@link #RedisProcess(String, String, int, List, List)} places it elsewhere
 * (in a network namespace). Every test Redis is one of these: {@link RedisServer},
 * {@link RedisClusterServers}, {@link RedisSentinelGroup} and the namespaced Redis of the netns
 * tests build on it. It can be stopped (SIGTERM), killed with SIGKILL, frozen with SIGSTOP and
 * started again on the same port with the same directory (a cluster node keeps its identity, a
 * sentinel its state). {@link #call} speaks enough RESP to read every reply shape (arrays,
 * multi-line bulk strings).
 */
public final class RedisProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final String host;
  private final int port;
  private final Path workDir;
  private final boolean sentinel;
  private final List<String> launcher;
  private final Thread reaper = new Thread(this::destroyProcess, "redis-process-reaper");
  private Process process;

  /**
   * On loopback, on a free port.
   *
   * @param name for logs and the temp directory, e.g. {@code master} or {@code sentinel-1}
   * @param config configuration lines besides port, bind, dir and daemonize
   * @param sentinel runs in sentinel mode ({@code redis-server <conf> --sentinel})
   */
  public RedisProcess(String name, List<String> config, boolean sentinel) {
    this(name, "127.0.0.1", FreePorts.next(), config, sentinel, List.of());
  }

  /**
   * A server listening on {@code host:port}, started by {@code launcher} followed by the
   * redis-server command line (e.g. {@code ip netns exec <namespace>}, which execs redis-server
   * itself, so signals reach it).
   */
  public RedisProcess(String name, String host, int port, List<String> config, List<String> launcher) {
    this(name, host, port, config, false, launcher);
  }

  private RedisProcess(String name, String host, int port, List<String> config, boolean sentinel,
      List<String> launcher) {
    this.name = name;
    this.host = host;
    this.port = port;
    this.sentinel = sentinel;
    this.launcher = List.copyOf(launcher);
    try {
      this.workDir = Files.createTempDirectory("redis-" + name + "-" + port + "-");
      List<String> lines = new ArrayList<>(List.of("port " + port, "bind " + host, "daemonize no",
          "dir " + workDir, "logfile \"\""));
      lines.addAll(config);
      Files.write(configFile(), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts the process and waits until it answers PING. */
  public synchronized RedisProcess start() {
    if (isRunning()) {
      return this;
    }
    List<String> command = new ArrayList<>(launcher);
    command.addAll(List.of(executable(), configFile().toString()));
    if (sentinel) {
      command.add("--sentinel");
    }
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis " + name, e);
    }
    awaitPong();
    return this;
  }

  /** SIGKILL: the process dies at once, losing whatever it had not replicated. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    waitForExit();
  }

  /** SIGTERM, then SIGKILL after a deadline. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    waitForExit();
  }

  /** SIGSTOP: the process is frozen (as in a long pause) until {@link #thaw}. */
  public void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze}. */
  public void thaw() {
    signal("CONT");
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public String host() {
    return host;
  }

  /** {@code host:port}, as CLUSTER NODES and the sentinels name it. */
  public String address() {
    return host + ":" + port;
  }

  /** The {@code redis://} URL of this server. */
  public String url() {
    return "redis://" + address();
  }

  /**
   * Sends one command and returns the reply: a String (simple or bulk string; an error as
   * {@code -ERR ...}), a Long, a List of replies, or null.
   */
  public Object call(String... args) {
    return plain(reply(args), null);
  }

  /** {@link #call}, but an error reply throws instead of being returned as {@code -ERR ...}. */
  public Object callOrThrow(String... args) {
    return plain(reply(args), args);
  }

  /** An error reply, kept apart from a bulk string that starts with a dash until the caller says which it wants. */
  private record ErrorReply(String line) {}

  /** The reply with each error as its {@code -ERR ...} line, or thrown when {@code throwFor} names the command. */
  private Object plain(Object reply, String[] throwFor) {
    if (reply instanceof ErrorReply error) {
      if (throwFor != null) {
        throw new UncheckedIOException(new IOException(
            "redis " + name + ": " + String.join(" ", throwFor) + ": " + error.line()));
      }
      return error.line();
    }
    if (reply instanceof List<?> items) {
      List<Object> plain = new ArrayList<>(items.size());
      for (Object item : items) {
        plain.add(plain(item, throwFor));
      }
      return plain;
    }
    return reply;
  }

  private Object reply(String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2_000);
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        request.writeBytes(bytes);
        request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      out.write(request.toByteArray());
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("redis " + name + " on " + address() + ": " + String.join(" ", args), e);
    }
  }

  /** {@link #call} for replies that are text (or a number), as a String; null for a nil reply. */
  public String command(String... args) {
    Object reply = call(args);
    return reply == null ? null : reply.toString();
  }

  /** One field of {@code INFO <section>}, e.g. {@code info("replication", "role")}; null if absent. */
  public String info(String section, String field) {
    for (String line : command("INFO", section).split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return null;
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try (var files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }

  private static Object read(InputStream in) throws IOException {
    String line = readLine(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+':
        return rest;
      case '-':
        return new ErrorReply(line);
      case ':':
        return Long.parseLong(rest);
      case '$': {
        int length = Integer.parseInt(rest);
        if (length < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(length + 2);
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(rest);
        if (count < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          items.add(read(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP reply: " + line);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed without a reply");
      }
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
      previous = b;
    }
  }

  private void signal(String signal) {
    long pid;
    synchronized (this) {
      if (process == null) {
        throw new IllegalStateException("redis " + name + " is not running");
      }
      pid = process.pid();
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void waitForExit() {
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  private void awaitPong() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (UncheckedIOException notYet) {
        // not listening yet
      }
      try {
        // waiting on the process doubles as the pause between polls and notices an early exit
        if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("redis " + name + " exited with " + process.exitValue() + ": " + logTail());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for redis " + name, e);
      }
      if (System.nanoTime() > deadline) {
        kill();
        throw new IllegalStateException("redis " + name + " did not answer PING within " + START_TIMEOUT + ": " + logTail());
      }
    }
  }

  private synchronized void destroyProcess() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private Path configFile() {
    return workDir.resolve("redis.conf");
  }

  /** Where the server writes its snapshot ({@code SAVE}) and reads it back at start. */
  public Path snapshot() {
    return workDir.resolve("dump.rdb");
  }

  private Path logFile() {
    return workDir.resolve("redis.log");
  }

  /** The last lines of the process's output, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static String executable() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      File candidate = new File(dir, "redis-server");
      if (candidate.canExecute()) {
        return candidate.getPath();
      }
    }
    if (new File("/usr/bin/redis-server").canExecute()) {
      return "/usr/bin/redis-server";
    }
    throw new IllegalStateException("redis-server is not installed: apt-get install -y redis-server");
  }
}
