package io.signalmesh.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.RedisCalls;
import io.signalmesh.presence.RedisUrl;
import io.signalmesh.testsupport.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbox contract on a real redis-server, two nodes being two consumers of the group; and what Redis adds. */
class RedisOutboxTest extends OutboxContract {

  private static Vertx vertx;
  private static RedisServer redis;
  private RedisCalls calls;

  @BeforeAll
  static void startRedis() {
    vertx = Vertx.vertx();
    redis = new RedisServer().start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
    await(vertx.close());
  }

  @AfterEach
  void closeClient() {
    await(calls.close());
  }

  @Override
  protected Outbox emptyOutbox() {
    redis.flushAll();
    calls = new RedisCalls(vertx, RedisUrl.parse(redis.url()), Duration.ofSeconds(2));
    RedisOutbox outbox = new RedisOutbox(calls, "node-a", POLICY);
    await(outbox.open(RECEIVER));
    return outbox;
  }

  @Override
  protected Outbox otherNode() {
    return new RedisOutbox(calls, "node-b", POLICY);
  }

  @Override
  protected void append(String event) {
    assertThat(redis.command("XADD", RECEIVER.streamKey(), "*", "event", event)).isNotNull();
  }

  @Test
  void anAcknowledgedEntryLeavesTheStream() {
    Outbox outbox = emptyOutbox();
    append("one");
    OutboxEntry taken = await(outbox.take(RECEIVER, 10)).get(0);

    await(outbox.acknowledge(RECEIVER, List.of(taken.id())));

    assertThat(redis.command("XLEN", RECEIVER.streamKey())).isEqualTo("0");
  }

  @Test
  void eventsWrittenBeforeTheGroupExistedAreDelivered() {
    Outbox outbox = emptyOutbox();
    redis.flushAll();
    append("early");

    await(outbox.open(RECEIVER));

    assertThat(await(outbox.take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("early");
  }

  @Test
  void takingWorksAgainAfterRedisLostTheGroup() {
    Outbox outbox = emptyOutbox();
    redis.flushAll();

    assertThat(await(outbox.take(RECEIVER, 10))).isEmpty();
    append("after");
    assertThat(await(outbox.take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("after");
  }
}
