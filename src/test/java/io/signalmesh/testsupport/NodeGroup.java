package io.signalmesh.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * N node processes clustered over loopback and sharing one {@code --redis} URL, for a Redis
 * deployment the test runs itself (a sentinel group, a Redis Cluster); {@link MeshCluster} is
 * the same with a standalone redis-server of its own.
 */
public final class NodeGroup implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final List<NodeProcess> nodes = new ArrayList<>();

  private NodeGroup() {}

  /** Starts {@code count} nodes (in parallel) on {@code redisUrl} and waits until all are ready. */
  public static NodeGroup start(String prefix, int count, String redisUrl, String... extraFlags) {
    NodeGroup group = new NodeGroup();
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusterPorts.add(NodeProcess.freePort());
    }
    String members = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    for (int i = 0; i < count; i++) {
      List<String> flags = new ArrayList<>(List.of("--cluster", "--cluster-host", "127.0.0.1",
          "--cluster-port", Integer.toString(clusterPorts.get(i)), "--cluster-members", members,
          "--redis", redisUrl));
      flags.addAll(List.of(extraFlags));
      group.nodes.add(NodeProcess.create(prefix + "-" + (i + 1), flags));
    }
    try {
      group.nodes.forEach(NodeProcess::start);
      group.nodes.forEach(NodeProcess::awaitReady);
    } catch (RuntimeException e) {
      group.close();
      throw e;
    }
    return group;
  }

  public NodeProcess node(int index) {
    return nodes.get(index);
  }

  /** GET on a node's management port (readiness, admin API); the status and body, or -1 if it did not answer. */
  public Reply get(int node, String path) {
    try {
      HttpRequest request = HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + nodes.get(node).managementPort() + path)).timeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (IOException e) {
      return new Reply(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
  }

  /** An HTTP answer. */
  public record Reply(int status, String body) {}
}
