package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.RedisProcess;
import io.signalmesh.testsupport.RedisSentinelGroup;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A presence store on a real Sentinel deployment whose master is killed: once the store has
 * reached the promoted replica, no call fails on a connection left over to the dead master (seen
 * in CI with the pooled client: a join refused `unavailable` after the node's heartbeat had moved).
 */
class RedisSentinelPresenceStoreTest {

  private static final Duration FAILOVER_BOUND = Duration.ofSeconds(30);

  private Vertx vertx;
  private RedisSentinelGroup redis;
  private RedisPresenceStore store;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    redis = RedisSentinelGroup.start();
    store = new RedisPresenceStore(vertx, RedisUrl.parse(redis.url()));
  }

  @AfterEach
  void stop() {
    await(store.close());
    redis.close();
    await(vertx.close());
  }

  @Test
  void onceTheStoreReachedThePromotedReplicaEveryJoinSucceeds() {
    RoomId room = new RoomId("s-room");
    // both shared connections in use on the master
    for (int i = 0; i < 4; i++) {
      await(store.join(room, member("early-" + i), 100));
    }
    RedisProcess old = redis.master();
    old.kill();
    redis.awaitFailover(old, FAILOVER_BOUND);
    Wait.until("the store to reach the promoted replica", FAILOVER_BOUND, () -> {
      try {
        await(store.members(room));
        return true;
      } catch (RuntimeException stillAway) {
        return false;
      }
    });

    for (int i = 0; i < 20; i++) {
      assertThat(await(store.join(room, member("late-" + i), 100))).isInstanceOf(JoinResult.Joined.class);
    }
  }

  private static Member member(String client) {
    return new Member(new ClientId(client), "node-a", null, null, 1_000L);
  }
}
