package io.signalmesh.testsupport.netns;

import io.signalmesh.testsupport.RedisProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} inside a test namespace, without persistence, and a small RESP
 * client to inspect it from the root namespace (across the back bridge). The process is a
 * {@link RedisProcess} launched by {@code ip netns exec}.
 */
public final class NamespacedRedis implements AutoCloseable {

  public static final int PORT = 6379;

  private final RedisProcess process;

  private NamespacedRedis(RedisProcess process) {
    this.process = process;
  }

  /** Starts redis-server in the network's Redis namespace and waits until it answers PING. */
  public static NamespacedRedis start(TestNetwork network) {
    TestNetwork.Host host = network.redisHost();
    RedisProcess process = new RedisProcess("netns-" + host.namespace(), host.backAddress(), PORT,
        List.of("save \"\"", "appendonly no", "protected-mode no"), network.inNamespace(host, List.of()));
    try {
      process.start();
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    return new NamespacedRedis(process);
  }

  /** The {@code --redis} URL the nodes use. */
  public String url() {
    return process.url();
  }

  /** One command; the reply as a String, Long, List (of replies) or null; an error reply throws. */
  public Object command(String... args) {
    return process.callOrThrow(args);
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

  @Override
  public void close() {
    process.close();
  }
}
