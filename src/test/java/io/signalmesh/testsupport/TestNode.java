package io.signalmesh.testsupport;

import io.signalmesh.app.SignalmeshNode;
import io.signalmesh.cli.ServeCommand;
import io.signalmesh.config.ServerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node started in this JVM through the same flag parsing as {@code serve}, on free loopback
 * ports. For failures that need a process to die, use {@link NodeProcess}.
 */
public final class TestNode implements AutoCloseable {

  private final SignalmeshNode node;
  private final ServerConfig config;

  private TestNode(SignalmeshNode node, ServerConfig config) {
    this.node = node;
    this.config = config;
  }

  /**
   * Starts a node with the given extra {@code serve} flags, on two event loops unless they say
   * otherwise. On two cores, as on the CI machine, the default is one loop, and the node processes
   * of the integration tests run it; the nodes here keep the hand-off of a frame between loops,
   * which a node of more cores makes all the time, under test.
   */
  public static TestNode start(String... flags) {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--management-port", "0"));
    if (Arrays.stream(flags).noneMatch(flag -> flag.equals("--event-loops") || flag.startsWith("--event-loops="))) {
      args.addAll(List.of("--event-loops", "2"));
    }
    args.addAll(List.of(flags));
    ServerConfig config = ServeCommand.parse(Map.<String, String>of()::get, args.toArray(String[]::new));
    try {
      SignalmeshNode node = SignalmeshNode.start(config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new TestNode(node, config);
    } catch (Exception e) {
      throw new IllegalStateException("node did not start", e);
    }
  }

  public int port() {
    return node.port();
  }

  public int managementPort() {
    return node.managementPort();
  }

  public String nodeId() {
    return node.nodeId();
  }

  public ServerConfig config() {
    return config;
  }

  public SignalmeshNode node() {
    return node;
  }

  public TestClient connect() {
    return TestClient.connect("ws://127.0.0.1:" + port() + "/ws");
  }

  public TestClient connect(String pathAndQuery) {
    return TestClient.connect("ws://127.0.0.1:" + port() + pathAndQuery);
  }

  @Override
  public void close() {
    try {
      node.drainAndStop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop", e);
    }
  }
}
