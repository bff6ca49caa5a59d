package io.signalmesh.testsupport;

/**
 * A real mesh for a test: a redis-server and N node processes clustered over loopback (a
 * {@link NodeGroup} on a {@link RedisServer} of its own). A test holds it in an {@code @AutoClose}
 * field, so that JUnit closes it after the test (after the test's own {@code @AfterEach}), whether
 * the test passed or not.
 */
public final class MeshCluster implements AutoCloseable {

  private final RedisServer redis;
  private final NodeGroup nodes;

  private MeshCluster(RedisServer redis, NodeGroup nodes) {
    this.redis = redis;
    this.nodes = nodes;
  }

  /** Starts Redis and {@code count} nodes (in parallel) and waits until all are ready. */
  public static MeshCluster start(String prefix, int count, String... extraFlags) {
    RedisServer redis = new RedisServer().start();
    try {
      return new MeshCluster(redis, NodeGroup.start(prefix, count, redis.url(), extraFlags));
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  public NodeProcess node(int index) {
    return nodes.node(index);
  }

  public RedisServer redis() {
    return redis;
  }

  @Override
  public void close() {
    nodes.close();
    redis.close();
  }
}
