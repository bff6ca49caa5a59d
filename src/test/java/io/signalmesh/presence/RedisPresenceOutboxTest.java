package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.session.ClientId;
import io.signalmesh.testsupport.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The outbox contract of the Redis store against a real redis-server, both ways it can write:
 * inside the join and leave scripts (standalone and Sentinel), and right after them (Redis
 * Cluster, where a script cannot reach the streams). Every receiver's stream gets every event.
 */
class RedisPresenceOutboxTest {

  private static final List<String> STREAMS = List.of("signalmesh:webhooks:{test-1}", "signalmesh:webhooks:{test-2}");
  private static Vertx vertx;
  private static RedisServer redis;
  private static Redis reader;

  @BeforeAll
  static void startRedis() {
    vertx = Vertx.vertx();
    redis = new RedisServer().start();
    reader = Redis.createClient(vertx, redis.url());
  }

  @AfterAll
  static void stopRedis() {
    await(reader.close());
    redis.close();
    await(vertx.close());
  }

  static PresenceStore store(boolean inScript, int capacity) {
    redis.flushAll();
    RedisCalls calls = new RedisCalls(vertx, RedisUrl.parse(redis.url()), Duration.ofSeconds(2));
    return new RedisPresenceStore(calls, new OutboxStreams(STREAMS, capacity, inScript));
  }

  static List<String> events(String stream) {
    Response entries = await(reader.send(Request.cmd(Command.XRANGE).arg(stream).arg("-").arg("+")));
    List<String> bodies = new ArrayList<>();
    for (Response entry : entries) {
      bodies.add(entry.get(1).get(1).toString());
    }
    return bodies;
  }

  /** Both streams hold the same events; the contract reads them from the first. */
  static List<String> recordedInEveryStream() {
    List<String> first = events(STREAMS.get(0));
    assertThat(events(STREAMS.get(1))).isEqualTo(first);
    return first;
  }

  @Nested
  class InTheScripts extends PresenceOutboxContract {
    @Override
    protected PresenceStore newEmptyStore() {
      return store(true, 100);
    }

    @Override
    protected List<String> recorded() {
      return recordedInEveryStream();
    }
  }

  @Nested
  class AfterTheScripts extends PresenceOutboxContract {
    @Override
    protected PresenceStore newEmptyStore() {
      return store(false, 100);
    }

    @Override
    protected List<String> recorded() {
      return recordedInEveryStream();
    }
  }

  @Nested
  class WhenAStreamIsFull {
    private PresenceStore store;

    @AfterEach
    void close() {
      await(store.close());
    }

    @Test
    void scriptsDropNewEventsAndKeepTheUndeliveredOnes() {
      store = store(true, 3);
      assertEventsBeyondTheCapacityAreDropped();
    }

    @Test
    void appendsAfterTheScriptsDropNewEventsAndKeepTheUndeliveredOnes() {
      store = store(false, 3);
      assertEventsBeyondTheCapacityAreDropped();
    }

    private void assertEventsBeyondTheCapacityAreDropped() {
      await(store.join(PresenceOutboxContract.ROOM, PresenceStoreContract.member("alice", "n"), 10,
          PresenceOutboxContract.joinEvents("alice")));
      await(store.join(PresenceOutboxContract.ROOM, PresenceStoreContract.member("bob", "n"), 10,
          PresenceOutboxContract.joinEvents("bob")));
      await(store.leave(PresenceOutboxContract.ROOM, new ClientId("bob"), PresenceOutboxContract.leaveEvents("bob")));

      assertThat(recordedInEveryStream()).containsExactly("started by alice", "joined alice", "joined bob");
      assertThat(await(store.members(PresenceOutboxContract.ROOM))).hasSize(1);
    }
  }
}
