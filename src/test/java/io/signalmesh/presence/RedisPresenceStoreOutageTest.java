package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static io.signalmesh.presence.Futures.eventually;
import static io.signalmesh.presence.PresenceStoreContract.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.signalmesh.presence.JoinResult.Joined;
import io.signalmesh.presence.PresenceStore.NodeMembership;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Redis that stops, hangs or restarts empty: the store fails fast and heals by itself. */
class RedisPresenceStoreOutageTest {

  private static final RoomId ROOM = new RoomId("room-1");
  private static final Duration CALL_TIMEOUT = Duration.ofMillis(500);
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(10);

  private Vertx vertx;
  private RedisServer redis;
  private RedisPresenceStore store;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    redis = new RedisServer().start();
    store = new RedisPresenceStore(vertx, RedisUrl.parse(redis.url()), CALL_TIMEOUT);
  }

  @AfterEach
  void stop() {
    await(store.close());
    redis.close();
    await(vertx.close());
  }

  @Test
  void everyOperationFailsAsUnavailableWhileRedisIsStopped() {
    await(store.join(ROOM, member("alice", "node-a"), 10));
    redis.stop();

    assertUnavailable(() -> await(store.join(ROOM, member("bob", "node-a"), 10)), "join", "room-1");
    assertUnavailable(() -> await(store.leave(ROOM, new ClientId("alice"))), "leave", "room-1");
    assertUnavailable(() -> await(store.leaveIfOnNode(ROOM, new ClientId("alice"), "node-a")), "leaveIfOnNode", "room-1");
    assertUnavailable(() -> await(store.members(ROOM)), "members", "room-1");
    assertUnavailable(() -> await(store.rooms(null, 10)), "rooms", "index");
    assertUnavailable(() -> await(store.membershipsOfNode("node-a")), "membershipsOfNode", "node-a");
  }

  @Test
  void aRedisThatStopsAnsweringFailsTheCallAsUnavailable() {
    await(store.members(ROOM));
    redis.command("CLIENT", "PAUSE", "10000", "ALL");

    assertThatThrownBy(() -> await(store.join(ROOM, member("alice", "node-a"), 10)))
        .isInstanceOf(PresenceUnavailableException.class)
        .hasMessageContaining("join")
        .hasMessageContaining("room-1")
        .hasMessageContaining("did not answer");
  }

  @Test
  void aJoinThatTimedOutButWasAppliedLaterIsStillIndexed() {
    Member alice = member("alice", "node-a");
    redis.command("CLIENT", "PAUSE", "1500", "ALL");
    assertThatThrownBy(() -> await(store.join(ROOM, alice, 10))).isInstanceOf(PresenceUnavailableException.class);

    eventually(vertx, RECOVERY_LIMIT, () -> store.membershipsOfNode("node-a")
        .map(held -> held.size() == 1 ? held : fail("not indexed yet")));
    assertThat(await(store.rooms(null, 10))).containsExactly(ROOM);
    assertThat(await(store.membershipsOfNode("node-a"))).containsExactly(new NodeMembership(ROOM, alice));
  }

  @Test
  void unavailableErrorsNeverShowThePassword() {
    String password = "s3cret-Passw0rd";
    RedisPresenceStore withPassword = new RedisPresenceStore(vertx,
        RedisUrl.parse("redis://signalmesh:" + password + "@127.0.0.1:" + redis.port()), CALL_TIMEOUT);
    try {
      Throwable wrongPassword = catchFailure(() -> await(withPassword.join(ROOM, member("alice", "node-a"), 10)));
      redis.stop();
      Throwable stopped = catchFailure(() -> await(withPassword.join(ROOM, member("alice", "node-a"), 10)));

      for (Throwable failure : new Throwable[] {wrongPassword, stopped}) {
        assertThat(failure).isInstanceOf(PresenceUnavailableException.class);
        for (Throwable t = failure; t != null; t = t.getCause()) {
          assertThat(String.valueOf(t.getMessage())).doesNotContain(password);
        }
      }
    } finally {
      await(withPassword.close());
    }
  }

  @Test
  void theSameStoreWorksAgainOnceRedisIsBack() {
    await(store.join(ROOM, member("alice", "node-a"), 10));
    redis.stop();
    assertUnavailable(() -> await(store.join(ROOM, member("bob", "node-a"), 10)), "join", "room-1");

    redis.start();

    JoinResult result = eventually(vertx, RECOVERY_LIMIT, () -> store.join(ROOM, member("bob", "node-a"), 10));
    assertThat(result).isInstanceOf(Joined.class);
    assertThat(await(store.rooms(null, 10))).containsExactly(ROOM);
  }

  @Test
  void joinAfterRedisRestartedEmptyReloadsTheScriptWithoutAnError() {
    await(store.join(ROOM, member("alice", "node-a"), 10));
    redis.stop();
    redis.start();
    eventually(vertx, RECOVERY_LIMIT, () -> store.members(ROOM));

    JoinResult result = await(store.join(ROOM, member("bob", "node-a"), 10));

    assertThat(result).isEqualTo(new Joined(java.util.List.of(), false));
    assertThat(await(store.leaveIfOnNode(ROOM, new ClientId("bob"), "node-a"))).isTrue();
  }

  private static void assertUnavailable(ThrowingCallable call, String operation, String subject) {
    assertThatThrownBy(call)
        .isInstanceOf(PresenceUnavailableException.class)
        .hasMessageContaining(operation)
        .hasMessageContaining(subject);
  }

  private static Throwable catchFailure(ThrowingCallable call) {
    try {
      call.call();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected the operation to fail");
  }
}
