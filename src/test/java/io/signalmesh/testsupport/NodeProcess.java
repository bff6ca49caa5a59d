package io.signalmesh.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node as its own JVM running the real jar ({@code target/signalmesh.jar serve}), so that a
 * test can kill it with SIGKILL or stop it with SIGTERM. Its output goes to
 * {@code target/it-logs/<node>.log}.
 */
public final class NodeProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String nodeId;
  private final int port;
  private final int managementPort;
  private final List<String> flags;
  private final Path log;
  private Process process;
  /** Runs that ended: the next ready line to wait for is number restarts + 1. */
  private int restarts;

  private NodeProcess(String nodeId, int port, int managementPort, List<String> flags, Path log) {
    this.nodeId = nodeId;
    this.port = port;
    this.managementPort = managementPort;
    this.flags = flags;
    this.log = log;
  }

  /** Prepares a node with free ports and the given extra {@code serve} flags; {@link #start} runs it. */
  public static NodeProcess create(String nodeId, List<String> flags) {
    return new NodeProcess(nodeId, freePort(), freePort(), List.copyOf(flags), NodeJar.freshLog(nodeId));
  }

  /** Starts the process (again, after a kill) on the same ports. */
  public NodeProcess start() {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1",
        "--port", Integer.toString(port), "--management-port", Integer.toString(managementPort), "--node-id", nodeId));
    args.addAll(flags);
    List<String> command = NodeJar.serve(args);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + nodeId, e);
    }
    return this;
  }

  /** Waits for the ready line this run printed. */
  public NodeProcess awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String marker = "signalmesh ready: node=" + nodeId + " ";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node " + nodeId + " exited with " + process.exitValue() + "; see " + log);
      }
      if (readyLines(marker) > restarts) {
        return this;
      }
      Wait.pause(Duration.ofMillis(100));
    }
    throw new IllegalStateException("node " + nodeId + " not ready within " + START_TIMEOUT.toSeconds() + "s; see " + log);
  }

  private long readyLines(String marker) {
    try {
      return Files.readAllLines(log).stream().filter(line -> line.startsWith(marker)).count();
    } catch (IOException e) {
      return 0;
    }
  }

  public String nodeId() {
    return nodeId;
  }

  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** What the node printed so far, over all its runs; empty before it printed anything. */
  public String logText() {
    return NodeJar.logText(log);
  }

  /** Waits until the node has logged {@code line} (over all its runs), failing with {@code what} after {@code within}. */
  public void awaitLog(String what, String line, Duration within) {
    Wait.until(what, within, () -> logText().contains(line));
  }

  /** Whether the node fenced itself (the mesh declared it dead) in any of its runs, by its log. */
  public boolean fencedItself() {
    return logText().contains("fencing it");
  }

  public TestClient connect() {
    return TestClient.connect("ws://127.0.0.1:" + port + "/ws");
  }

  public TestClient resume(String sessionToken) {
    return TestClient.connect("ws://127.0.0.1:" + port + "/ws?resume=" + sessionToken);
  }

  /** SIGKILL: the node dies without a word to anyone. */
  public void kill() {
    process.destroyForcibly();
    waitForExit();
    restarts++;
  }

  /** SIGTERM: the node drains and exits. */
  public int terminate() {
    process.destroy();
    int code = waitForExit();
    restarts++;
    return code;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  private int waitForExit() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (isAlive()) {
      kill();
    }
  }

  /** A port for a server process: see {@link FreePorts}. */
  public static int freePort() {
    return FreePorts.next();
  }

}
