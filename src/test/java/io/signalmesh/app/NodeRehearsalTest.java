package io.signalmesh.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.signalmesh.cli.ServeCommand;
import io.signalmesh.cluster.NodeLiveness;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.testsupport.CommandStats;
import io.signalmesh.testsupport.RedisServer;
import io.signalmesh.testsupport.Wait;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * {@code --warm-up-joins}: real clients join rooms on a real private node, which then stops; its
 * sessions and joins are not logged as if they were the node's, with Redis presence they go
 * through that Redis and leave nothing in it, and a warm-up that cannot run does not keep the
 * node from starting.
 */
@Timeout(120)
class NodeRehearsalTest {

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Logger root;

  @BeforeEach
  void captureLog() {
    root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    log.start();
    root.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    root.detachAppender(log);
  }

  @Test
  void aWarmUpJoinsAsManyAsAskedInRoomsOfTwoAndLogsOnlyThatItRan() {
    NodeRehearsal.Result result = new NodeRehearsal(NodeRehearsalTest::rehearsal).run(601);

    assertThat(result.joins()).as("601 rounded up to whole rooms of two").isEqualTo(602);
    assertThat(messages(Level.INFO)).as("what the warm-up logs at INFO")
        .containsExactly("warm-up: rehearsing joins on a private node before serving", "warm-up done");
    // Micrometer warns once per registry of a gauge two HTTP servers share, as at every node's start
    assertThat(log.list).filteredOn(event -> event.getLevel() == Level.WARN)
        .filteredOn(event -> event.getLoggerName().startsWith("io.signalmesh")).isEmpty();
    ILoggingEvent done = log.list.get(log.list.size() - 1);
    assertThat(done.getKeyValuePairs()).anySatisfy(pair -> {
      assertThat(pair.key).isEqualTo("joins");
      assertThat(pair.value).isEqualTo(602);
    });
  }

  @Test
  void aWarmUpOfARedisNodeJoinsThroughThatRedisAndLeavesNoKeyBehind() {
    try (RedisServer redis = new RedisServer().start()) {
      ServerConfig privateNode = ServeCommand.rehearsalConfig(
          ServeCommand.parse(variable -> null, "--event-loops", "1", "--redis", redis.url()));

      NodeRehearsal.Result result = new NodeRehearsal(() -> privateNode).run(200);

      assertThat(result.joins()).isEqualTo(200);
      assertThat(new CommandStats(redis.port()).calls().getOrDefault("evalsha", 0L)).as("join and leave scripts run")
          .isGreaterThanOrEqualTo(400);
      assertThat(redis.keys("*")).as("left right after: at most the private node's liveness, which expires")
          .isSubsetOf(privateNode.redisKeyPrefix() + "node:{warm-up}:alive");
      Wait.until("the private node's liveness key to expire", NodeLiveness.TTL.plusSeconds(5),
          () -> redis.keys("*").isEmpty());
    }
  }

  @Test
  void aWarmUpWhoseRedisIsAwayStopsAtItsFirstFailedCallsAndTheNodeStartsAnyway() throws Exception {
    int nobodyListens;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobodyListens = free.getLocalPort();
    }
    ServerConfig privateNode = ServeCommand.rehearsalConfig(ServeCommand.parse(variable -> null, "--event-loops", "1",
        "--redis", "redis://127.0.0.1:" + nobodyListens));

    NodeRehearsal.Result result = new NodeRehearsal(() -> privateNode).run(100_000);

    assertThat(result.joins()).isZero();
    ILoggingEvent cutShort = log.list.stream()
        .filter(event -> event.getMessage().equals("warm-up cut short; serving anyway")).findFirst().orElseThrow();
    assertThat(cutShort.getThrowableProxy().getMessage()).as("why, and that no call was started after it")
        .startsWith("a warm-up call failed at join").contains("unavailable")
        .endsWith("0 succeeded of the 200 started (50000 asked)");
  }

  @Test
  void anEventLoggedAfterTheWarmUpIsWrittenAgain() {
    new NodeRehearsal(NodeRehearsalTest::rehearsal).run(2);

    LoggerFactory.getLogger("io.signalmesh.session.SessionLifecycle").info("after the warm-up");

    assertThat(messages(Level.INFO)).endsWith("warm-up done", "after the warm-up");
  }

  @Test
  void aWarmUpThatCannotStartItsNodeIsLoggedAndTheNodeStartsAnyway() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ServerConfig onTakenPort = ServeCommand.parse(variable -> null, "--host", "127.0.0.1", "--port",
          Integer.toString(taken.getLocalPort()), "--management-port", "0");

      NodeRehearsal.Result result = new NodeRehearsal(() -> onTakenPort).run(100);

      assertThat(result.joins()).isZero();
      assertThat(messages(Level.WARN)).contains("warm-up cut short; serving anyway");
    }
  }

  private static ServerConfig rehearsal() {
    return ServeCommand.rehearsalConfig(ServeCommand.parse(variable -> null, "--event-loops", "1"));
  }

  private List<String> messages(Level level) {
    return log.list.stream().filter(event -> event.getLevel() == level).map(ILoggingEvent::getMessage).toList();
  }
}
