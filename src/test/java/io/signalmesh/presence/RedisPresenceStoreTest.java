package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static io.signalmesh.presence.Futures.on;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.PresenceStore.NodeMembership;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.CommandStats;
import io.signalmesh.testsupport.RedisServer;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The presence contract against a real redis-server, plus what only Redis needs: indexes that
 * lag behind the rooms, and a script cache that Redis may lose.
 */
class RedisPresenceStoreTest extends PresenceStoreContract {

  private static Vertx vertx;
  private static RedisServer redis;

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

  @Override
  protected PresenceStore newEmptyStore() {
    redis.flushAll();
    return new RedisPresenceStore(vertx, RedisUrl.parse(redis.url()));
  }

  /** What keeps a joiner's first frames behind its join announcement: the join goes on on the joiner's loop. */
  @Test
  void aJoinAndALeaveAnswerOnTheCallersContextNotOnTheOneThatOpenedTheConnections() throws Exception {
    Context opener = vertx.getOrCreateContext();
    Context caller = vertx.getOrCreateContext();
    assertThat(caller).isNotSameAs(opener);
    for (int i = 0; i < 4; i++) {
      // every shared connection opened, and the join script loaded, from the first context
      Member member = member("early-" + i, NODE_A);
      await(on(opener, () -> store.join(ROOM, member, 100).map(joined -> (Object) joined)));
    }

    CompletableFuture<Context> joinedOn = new CompletableFuture<>();
    caller.runOnContext(ignored -> store.join(ROOM, member("bob", NODE_A), 100)
        .onComplete(done -> joinedOn.complete(done.succeeded() ? Vertx.currentContext() : null)));
    assertThat(joinedOn.get(10, TimeUnit.SECONDS)).as("joined, on the caller's context").isSameAs(caller);

    CompletableFuture<Context> leftOn = new CompletableFuture<>();
    caller.runOnContext(ignored -> store.leave(ROOM, new ClientId("bob"))
        .onComplete(done -> leftOn.complete(done.succeeded() ? Vertx.currentContext() : null)));
    assertThat(leftOn.get(10, TimeUnit.SECONDS)).as("left, on the caller's context").isSameAs(caller);
  }

  @Test
  void aJoinIsOneRedisCommandTheIndexesUpdatedInsideIt() {
    joined(ROOM, member("alice", NODE_A));
    joined(ROOM, member("alice", NODE_A));
    CommandStats stats = new CommandStats(redis.port());
    stats.reset();

    joined(ROOM, member("bob", NODE_A));

    assertThat(stats.calls()).containsEntry("evalsha", 1L)
        .containsOnlyKeys("evalsha", "hget", "hlen", "hset", "zadd", "sadd", "hgetall");
    assertThat(await(store.membershipsOfNode(NODE_A))).hasSize(2);
    assertThat(await(store.rooms(null, 10))).containsExactly(ROOM);
  }

  @Test
  void aBurstOfJoinsOnAFreshStoreNeverAsksRedisForAScriptItDoesNotHave() {
    CommandStats stats = new CommandStats(redis.port());
    assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");
    stats.reset();
    List<Future<JoinResult>> joins = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      joins.add(store.join(new RoomId("burst-" + (i / 2)), member("c" + i, NODE_A), 2));
    }
    await(Future.all(joins));

    Map<String, Long> calls = stats.calls();
    assertThat(calls).containsEntry("evalsha", 200L).doesNotContainKey("eval");
    assertThat(calls.get("script|load")).as("loads: once per shared connection").isLessThanOrEqualTo(2L);
  }

  @Test
  void aJoinWhoseConnectionRedisDroppedBeforeRunningItIsSentAgainAndAnsweredAsAFirstJoin() {
    joined(ROOM, member("alice", NODE_A));
    redis.command("CLIENT", "PAUSE", "1000", "WRITE");
    Future<JoinResult> join = store.join(ROOM, member("bob", NODE_A), 10);
    Wait.until("the join to wait in Redis", Duration.ofSeconds(5),
        () -> !"0".equals(new CommandStats(redis.port()).info("clients", "blocked_clients")));
    redis.command("CLIENT", "KILL", "TYPE", "normal");

    JoinResult result = await(join);

    assertThat(result).isEqualTo(new JoinResult.Joined(List.of(member("alice", NODE_A)), false));
    assertThat(await(store.membershipsOfNode(NODE_A))).hasSize(2);
  }

  @Test
  void joinWorksAfterRedisLostItsScripts() {
    joined(ROOM, member("alice", NODE_A));
    assertThat(redis.command("SCRIPT", "FLUSH")).isEqualTo("OK");

    assertThat(joined(ROOM, member("bob", NODE_A)).others()).hasSize(1);
    assertThat(await(store.leave(ROOM, new ClientId("bob")))).isTrue();
  }

  @Test
  void roomsSkipsAndForgetsAnIndexedRoomWhoseMembersAreGone() {
    joined(new RoomId("gone"), member("alice", NODE_A));
    joined(new RoomId("kept"), member("bob", NODE_A));
    redis.command("DEL", RedisPresenceKeys.DEFAULT.roomMembers(new RoomId("gone")));

    assertThat(await(store.rooms(null, 10))).extracting(RoomId::value).containsExactly("kept");
    assertThat(redis.command("ZSCORE", RedisPresenceKeys.DEFAULT.rooms(), "gone")).isNull();
  }

  @Test
  void roomsFillsThePageWhenStaleIndexEntriesAreSkipped() {
    for (String id : List.of("a", "b", "c", "d")) {
      joined(new RoomId(id), member("alice", NODE_A));
    }
    redis.command("DEL", RedisPresenceKeys.DEFAULT.roomMembers(new RoomId("b")));
    redis.command("DEL", RedisPresenceKeys.DEFAULT.roomMembers(new RoomId("c")));

    assertThat(await(store.rooms(null, 2))).extracting(RoomId::value).containsExactly("a", "d");
  }

  @Test
  void membershipsOfNodeSkipsAndForgetsEntriesWhoseMemberIsGone() {
    Member bob = member("bob", NODE_A);
    joined(ROOM, member("alice", NODE_A));
    joined(ROOM, bob);
    redis.command("HDEL", RedisPresenceKeys.DEFAULT.roomMembers(ROOM), "alice");

    assertThat(await(store.membershipsOfNode(NODE_A))).containsExactly(new NodeMembership(ROOM, bob));
    assertThat(redis.command("SISMEMBER", RedisPresenceKeys.DEFAULT.nodeMemberships(NODE_A), "room-1|alice")).isEqualTo("0");
  }
}
