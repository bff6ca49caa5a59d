package io.signalmesh.testsupport;

import io.signalmesh.presence.RedisCalls;
import io.signalmesh.presence.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis deployment and a Vert.x for one test class: started before its first test,
 * stopped after its last, with clients ({@link #emptyCalls()}) that are closed after each test.
 * Starting a cluster takes seconds, so the tests of a class share one and empty it instead.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final RedisExtension&lt;RedisClusterServers&gt; REDIS = RedisExtension.cluster(3);
 *
 * &#64;Test
 * void something() {
 *   RedisCalls calls = REDIS.emptyCalls();
 *   REDIS.deployment().ownerOf(key);
 * }
 * </pre>
 */
public final class RedisExtension<R extends RedisDeployment>
    implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

  /** The call timeout of the clients {@link #emptyCalls()} opens. */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

  private final Supplier<R> start;
  private final List<RedisCalls> opened = new ArrayList<>();
  private String owner;
  private Vertx vertx;
  private R deployment;

  private RedisExtension(Supplier<R> start) {
    this.start = start;
  }

  /** One standalone redis-server. */
  public static RedisExtension<RedisServer> standalone() {
    return new RedisExtension<>(() -> new RedisServer().start());
  }

  /** A Redis Cluster of {@code masters} masters without replicas. */
  public static RedisExtension<RedisClusterServers> cluster(int masters) {
    return new RedisExtension<>(() -> RedisClusterServers.start(masters));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (deployment != null) {
      return; // a @Nested class uses its outer class's Redis
    }
    owner = context.getUniqueId();
    vertx = Vertx.vertx();
    try {
      deployment = start.get();
      warmUp();
    } catch (RuntimeException e) {
      if (deployment != null) {
        deployment.close();
        deployment = null;
      }
      await(vertx.close());
      throw e;
    }
  }

  /**
   * The first call of a fresh Vert.x loads and links the Redis client on an event loop; on a
   * loaded machine that alone took longer than {@link #CALL_TIMEOUT} and failed whichever test
   * ran first ("Redis did not answer within 2000 ms", event loop blocked 2.1 s). It is paid here,
   * under a bound meant for it.
   */
  private void warmUp() {
    RedisCalls calls = new RedisCalls(vertx, RedisUrl.parse(deployment.url()), Duration.ofSeconds(30));
    try {
      await(calls.call("warm-up", "PING", Request.cmd(Command.PING)));
    } finally {
      await(calls.close());
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      opened.forEach(calls -> await(calls.close()));
    } finally {
      opened.clear();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!context.getUniqueId().equals(owner)) {
      return;
    }
    try {
      deployment.close();
    } finally {
      deployment = null;
      await(vertx.close());
    }
  }

  public R deployment() {
    return deployment;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Empties the deployment and opens a client to it ({@link #CALL_TIMEOUT}), closed after the test. */
  public RedisCalls emptyCalls() {
    deployment.flushAll();
    RedisCalls calls = new RedisCalls(vertx, RedisUrl.parse(deployment.url()), CALL_TIMEOUT);
    opened.add(calls);
    return calls;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
