package io.signalmesh.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A real mesh for a test: a redis-server and N node processes clustered over loopback. */
public final class MeshCluster implements AutoCloseable {

  private final RedisServer redis;
  private final List<NodeProcess> nodes = new ArrayList<>();

  private MeshCluster(RedisServer redis) {
    this.redis = redis;
  }

  /** Starts Redis and {@code count} nodes (in parallel) and waits until all are ready. */
  public static MeshCluster start(String prefix, int count, String... extraFlags) {
    MeshCluster cluster = new MeshCluster(new RedisServer().start());
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusterPorts.add(NodeProcess.freePort());
    }
    String members = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    for (int i = 0; i < count; i++) {
      List<String> flags = new ArrayList<>(List.of("--cluster", "--cluster-host", "127.0.0.1",
          "--cluster-port", Integer.toString(clusterPorts.get(i)), "--cluster-members", members,
          "--redis", cluster.redis.url()));
      flags.addAll(List.of(extraFlags));
      cluster.nodes.add(NodeProcess.create(prefix + "-" + (i + 1), flags));
    }
    cluster.nodes.forEach(NodeProcess::start);
    cluster.nodes.forEach(NodeProcess::awaitReady);
    return cluster;
  }

  public NodeProcess node(int index) {
    return nodes.get(index);
  }

  public RedisServer redis() {
    return redis;
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
    redis.close();
  }
}
