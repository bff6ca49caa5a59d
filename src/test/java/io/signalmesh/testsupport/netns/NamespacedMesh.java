package io.signalmesh.testsupport.netns;

import io.signalmesh.testsupport.NginxBalancer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A mesh in network namespaces: N nodes, each in its own namespace, clustered by TCP-IP member
 * list over the back network; Redis in another namespace; nginx in the root namespace in front
 * of the nodes' front addresses. Everything is torn down on {@link #close}, the network last.
 */
public final class NamespacedMesh implements AutoCloseable {

  private final TestNetwork network;
  private final List<NamespacedNode> nodes = new ArrayList<>();
  private NamespacedRedis redis;
  private NginxBalancer balancer;

  private NamespacedMesh(TestNetwork network) {
    this.network = network;
  }

  /** Builds the network, starts Redis and {@code count} nodes (in parallel), then nginx. */
  public static NamespacedMesh start(String prefix, int count, String... extraFlags) {
    return start(prefix, count, network -> { }, extraFlags);
  }

  /** As {@link #start(String, int, String...)}, with {@code prepare} run on the network before any node starts. */
  public static NamespacedMesh start(String prefix, int count, Consumer<TestNetwork> prepare, String... extraFlags) {
    NamespacedMesh mesh = new NamespacedMesh(TestNetwork.create(count));
    try {
      prepare.accept(mesh.network);
      mesh.redis = NamespacedRedis.start(mesh.network);
      String members = java.util.stream.IntStream.range(0, count)
          .mapToObj(i -> mesh.network.node(i).backAddress() + ":" + NamespacedNode.CLUSTER_PORT)
          .collect(Collectors.joining(","));
      for (int i = 0; i < count; i++) {
        List<String> flags = new ArrayList<>(List.of("--cluster-members", members, "--redis", mesh.redis.url()));
        flags.addAll(List.of(extraFlags));
        mesh.nodes.add(NamespacedNode.create(mesh.network, mesh.network.node(i), prefix + "-" + (i + 1), flags));
      }
      mesh.nodes.forEach(NamespacedNode::start);
      mesh.nodes.forEach(NamespacedNode::awaitReady);
      mesh.balancer = NginxBalancer.startFor(mesh.nodes.stream()
          .map(n -> n.host().frontAddress() + ":" + NamespacedNode.PORT).toList());
      return mesh;
    } catch (RuntimeException e) {
      mesh.close();
      throw e;
    }
  }

  public TestNetwork network() {
    return network;
  }

  public NamespacedNode node(int index) {
    return nodes.get(index);
  }

  public List<NamespacedNode> nodes() {
    return List.copyOf(nodes);
  }

  public NamespacedRedis redis() {
    return redis;
  }

  public NginxBalancer balancer() {
    return balancer;
  }

  @Override
  public void close() {
    if (balancer != null) {
      balancer.close();
    }
    nodes.forEach(NamespacedNode::close);
    if (redis != null) {
      redis.close();
    }
    network.close();
  }
}
