package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.presence.NodeDirectory.SessionRecord;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.CommandStats;
import io.signalmesh.testsupport.RedisServer;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mesh's shared node state in a real Redis: liveness, reaping claims, sessions, parked frames. */
class RedisNodeDirectoryTest {

  private Vertx vertx;
  private RedisServer redis;
  private RedisCalls calls;
  private RedisNodeDirectory directory;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    redis = new RedisServer().start();
    calls = new RedisCalls(vertx, RedisUrl.parse(redis.url()), Duration.ofSeconds(2));
    directory = new RedisNodeDirectory(calls);
  }

  @AfterEach
  void stop() {
    await(calls.close());
    redis.close();
    await(vertx.close());
  }

  @Test
  void aNodeLearnsThatRedisLostWhatItAssertedUntilItReasserts() {
    assertThat(await(directory.heartbeat("n1", Duration.ofSeconds(5)))).isFalse();
    await(directory.markAsserted("n1"));
    assertThat(await(directory.heartbeat("n1", Duration.ofSeconds(5)))).isTrue();
    redis.flushAll();
    assertThat(await(directory.heartbeat("n1", Duration.ofSeconds(5)))).isFalse();
  }

  @Test
  void aNodeWhoseHeartbeatExpiredIsDeadAndAnAliveOneIsNot() {
    await(directory.heartbeat("alive", Duration.ofSeconds(30)));
    await(directory.heartbeat("gone", Duration.ofMillis(100)));
    Wait.until("the short heartbeat to expire", Duration.ofSeconds(5),
        () -> await(directory.deadNodes()).contains("gone"));
    assertThat(await(directory.deadNodes())).containsExactly("gone");
  }

  @Test
  void exactlyOneNodeWinsTheClaimToReapADeadOne() {
    assertThat(await(directory.claimReaping("dead", "n1", Duration.ofSeconds(30)))).isTrue();
    assertThat(await(directory.claimReaping("dead", "n2", Duration.ofSeconds(30)))).isFalse();
  }

  @Test
  void forgettingANodeDropsItFromTheKnownNodesAndItsSessionRecords() {
    await(directory.heartbeat("dead", Duration.ofMillis(50)));
    await(directory.saveSession("token-1", record("c1", "dead", null)));
    await(directory.forgetNode("dead"));
    assertThat(await(directory.findSession("token-1"))).isNull();
    assertThat(await(directory.deadNodes())).doesNotContain("dead");
  }

  @Test
  void forgettingANodeKeepsTheRecordOfASessionThatResumedOnAnotherNode() {
    await(directory.heartbeat("dead", Duration.ofMillis(50)));
    await(directory.saveSession("token-1", record("c1", "dead", null)));
    await(directory.saveSession("token-1", record("c1", "n2", null)));
    await(directory.forgetNode("dead"));
    assertThat(await(directory.findSession("token-1")).nodeId()).isEqualTo("n2");
  }

  @Test
  void aSessionRecordIsFoundByItsTokenWithRoomsAndGrant() {
    RoomToken grant = new RoomToken("ada", "team-*", "Ada", Instant.ofEpochSecond(4_000_000_000L), null, 5, true);
    await(directory.saveSession("secret-token", record("c1", "n1", grant)));
    SessionRecord found = await(directory.findSession("secret-token"));
    assertThat(found.clientId()).isEqualTo(new ClientId("c1"));
    assertThat(found.nodeId()).isEqualTo("n1");
    assertThat(found.rooms()).containsExactly(new RoomId("team-a"), new RoomId("team-b"));
    assertThat(found.grant()).isEqualTo(grant);
    assertThat(await(directory.findSession("other-token"))).isNull();
  }

  @Test
  void sessionTokensAreNeverStoredInRedis() {
    await(directory.saveSession("secret-token-value", record("c1", "n1", null)));
    assertThat(redis.command("EVAL", "return table.concat(redis.call('KEYS','*'), ' ')", "0"))
        .doesNotContain("secret-token-value");
  }

  @Test
  void parkedFramesComeBackInOrderAndTheInboxIsBounded() {
    ClientId client = new ClientId("c1");
    assertThat(await(directory.offerInbox(client, "one", 2, Duration.ofSeconds(30)))).isTrue();
    assertThat(await(directory.offerInbox(client, "two", 2, Duration.ofSeconds(30)))).isTrue();
    assertThat(await(directory.offerInbox(client, "three", 2, Duration.ofSeconds(30)))).isFalse();
    assertThat(await(directory.drainInbox(client))).containsExactly("one", "two");
    assertThat(await(directory.drainInbox(client))).isEmpty();
  }

  @Test
  void aNodeSeenExpiredIsDeclaredDeadAndCannotHeartbeatUntilItRejoins() {
    await(directory.heartbeat("paused", Duration.ofMillis(100)));
    Wait.until("the heartbeat to expire", Duration.ofSeconds(5), () -> await(directory.deadNodes()).contains("paused"));
    assertThat(await(directory.isDeclaredDead("paused"))).isTrue();

    // it comes back from its pause: the mesh acted on its death, so it must not simply go on
    assertThatThrownBy(() -> await(directory.heartbeat("paused", Duration.ofSeconds(30))))
        .isInstanceOf(NodeFencedException.class);
    assertThat(await(directory.deadNodes())).as("refused heartbeats renew nothing").contains("paused");

    await(directory.rejoin("paused"));
    assertThat(await(directory.isDeclaredDead("paused"))).isFalse();
    await(directory.heartbeat("paused", Duration.ofSeconds(30)));
    assertThat(await(directory.deadNodes())).doesNotContain("paused");
  }

  @Test
  void aNodeThatHeartbeatsInTimeIsNeverDeclaredDead() {
    await(directory.heartbeat("steady", Duration.ofSeconds(30)));
    assertThat(await(directory.deadNodes())).isEmpty();
    assertThat(await(directory.isDeclaredDead("steady"))).isFalse();
  }

  @Test
  void aNodeStartingUnderTheIdOfACrashedOneDeclaresThatRunDead() {
    await(directory.heartbeat("restarted", Duration.ofSeconds(30)));
    await(directory.declareDead("restarted"));
    assertThat(await(directory.deadNodes())).containsExactly("restarted");
  }

  @Test
  void forgettingAReapedNodeFreesTheClaimForItsNextDeathButKeepsTheDeclaration() {
    await(directory.heartbeat("twice", Duration.ofSeconds(30)));
    await(directory.declareDead("twice"));
    assertThat(await(directory.claimReaping("twice", "n1", Duration.ofSeconds(30)))).isTrue();
    await(directory.forgetNode("twice"));
    assertThat(await(directory.isDeclaredDead("twice"))).as("a paused node must still find it").isTrue();
    assertThat(await(directory.claimReaping("twice", "n2", Duration.ofSeconds(30)))).isTrue();
  }

  @Test
  void theDeadNodeCheckIsOneRedisCommandWhileEveryNodeHeartbeatsInTime() {
    for (int i = 0; i < 5; i++) {
      await(directory.heartbeat("n" + i, Duration.ofSeconds(30)));
    }
    // both shared connections have loaded the script
    await(directory.deadNodes());
    await(directory.deadNodes());
    CommandStats stats = new CommandStats(redis.port());
    stats.reset();

    assertThat(await(directory.deadNodes())).isEmpty();

    assertThat(stats.calls()).as("one script; the rest runs inside it").containsEntry("evalsha", 1L)
        .containsOnlyKeys("evalsha", "scard", "zcard", "time", "zrangebyscore");
  }

  @Test
  void aNodeKnownFromAnEarlierVersionWithoutADeadlineIsFoundDeadOnceItsHeartbeatExpires() {
    // what a node of the previous version leaves: the known set and its liveness, no deadline
    redis.command("SADD", "signalmesh:nodes", "old-alive", "old-gone");
    redis.command("SET", "signalmesh:node:{old-alive}:alive", "1", "PX", "30000");
    redis.command("SET", "signalmesh:node:{old-gone}:alive", "1", "PX", "100");
    await(directory.heartbeat("new", Duration.ofSeconds(30)));

    Wait.until("the old node's heartbeat to expire", Duration.ofSeconds(5),
        () -> await(directory.deadNodes()).contains("old-gone"));
    assertThat(await(directory.deadNodes())).containsExactly("old-gone");
    assertThat(await(directory.isDeclaredDead("old-gone"))).isTrue();
  }

  private static SessionRecord record(String client, String node, RoomToken grant) {
    return new SessionRecord(new ClientId(client), node, List.of(new RoomId("team-a"), new RoomId("team-b")), grant);
  }
}
