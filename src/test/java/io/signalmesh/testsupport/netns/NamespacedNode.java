package io.signalmesh.testsupport.netns;

import io.signalmesh.testsupport.NodeJar;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node as its own JVM running the real jar inside a test namespace ({@code ip netns exec}):
 * signaling and management on its front address, Hazelcast and the event bus on its back
 * address. Every namespace has its own ports, so all nodes use the same fixed ones. Output goes
 * to {@code target/it-logs/<node>.log}.
 */
public final class NamespacedNode implements AutoCloseable {

  public static final int PORT = 8080;
  public static final int MANAGEMENT_PORT = 8081;
  public static final int CLUSTER_PORT = 5701;
  public static final int EVENT_BUS_PORT = 5801;
  /** The admin API is served on a non-loopback management address only behind a key. */
  public static final String ADMIN_KEY = "netns-test-admin-key";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final TestNetwork network;
  private final TestNetwork.Host host;
  private final String nodeId;
  private final List<String> flags;
  private final Path log;
  private Process process;

  private NamespacedNode(TestNetwork network, TestNetwork.Host host, String nodeId, List<String> flags, Path log) {
    this.network = network;
    this.host = host;
    this.nodeId = nodeId;
    this.flags = List.copyOf(flags);
    this.log = log;
  }

  /** Prepares a node on {@code host} with extra {@code serve} flags; {@link #start} runs it. */
  public static NamespacedNode create(TestNetwork network, TestNetwork.Host host, String nodeId, List<String> flags) {
    return new NamespacedNode(network, host, nodeId, flags, NodeJar.freshLog(nodeId));
  }

  public NamespacedNode start() {
    List<String> command = NodeJar.serve(new ArrayList<>(List.of("--node-id", nodeId,
        "--host", host.frontAddress(), "--port", Integer.toString(PORT),
        "--management-host", host.frontAddress(), "--management-port", Integer.toString(MANAGEMENT_PORT),
        "--admin-key", ADMIN_KEY,
        "--cluster", "--cluster-host", host.backAddress(), "--cluster-port", Integer.toString(CLUSTER_PORT),
        "--eventbus-port", Integer.toString(EVENT_BUS_PORT))));
    command.addAll(flags);
    try {
      process = new ProcessBuilder(network.inNamespace(host, command)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + nodeId, e);
    }
    return this;
  }

  /** Waits for the node's ready line. */
  public NamespacedNode awaitReady() {
    String marker = "signalmesh ready: node=" + nodeId + " ";
    Wait.until("node " + nodeId + " to print its ready line (log " + log + ")", START_TIMEOUT, () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("node " + nodeId + " exited with " + process.exitValue() + "; see " + log);
      }
      return logText().lines().anyMatch(line -> line.startsWith(marker));
    });
    return this;
  }

  public String nodeId() {
    return nodeId;
  }

  public TestNetwork.Host host() {
    return host;
  }

  public Path log() {
    return log;
  }

  public String logText() {
    return NodeJar.logText(log);
  }

  /** A client connected to this node directly (not through the load balancer). */
  public TestClient connect() {
    return TestClient.connect("ws://" + host.frontAddress() + ":" + PORT + "/ws");
  }

  /** {@code /health/ready}: the status code and the body (status 0 if the port did not answer). */
  public Readiness readiness() {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(managementUri("/health/ready"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      return new Readiness(response.statusCode(), response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body()));
    } catch (IOException e) {
      return new Readiness(0, new JsonObject());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET on the admin API with the admin key; the JSON answer (fails on a non-200 status). */
  public JsonObject admin(String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(managementUri(path))
          .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + " on " + nodeId + ": " + response.statusCode() + " " + response.body());
      }
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " on " + nodeId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The sum of a Prometheus metric's samples on {@code /metrics} (all label sets). */
  public double metric(String name) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(managementUri("/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.body().lines()
          .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException("GET /metrics on " + nodeId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private URI managementUri(String path) {
    return URI.create("http://" + host.frontAddress() + ":" + MANAGEMENT_PORT + path);
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What {@code /health/ready} answered. */
  public record Readiness(int status, JsonObject body) {
    public boolean ready() {
      return status == 200;
    }
  }

  /** nft rules that drop event-bus traffic between a node's namespace and {@code peer}, both ways; Hazelcast and Redis pass. */
  public static String eventBusBlockRules(String peer) {
    int port = EVENT_BUS_PORT;
    return """
        table inet smnet_block {
          chain in {
            type filter hook input priority 0; policy accept;
            ip saddr %1$s tcp dport %2$d drop
          }
          chain out {
            type filter hook output priority 0; policy accept;
            ip daddr %1$s tcp dport %2$d drop
          }
        }
        """.formatted(peer, port);
  }
}
