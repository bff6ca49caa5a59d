package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.NodeDirectory.SessionRecord;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.RedisClusterServers;
import io.signalmesh.testsupport.RedisExtension;
import io.signalmesh.testsupport.Wait;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The mesh's shared node state in a real three-master Redis Cluster: node ids, session tokens
 * and clients are picked so that their keys land on every master (asserted with CLUSTER KEYSLOT
 * and CLUSTER NODES), and every directory operation must work for all of them.
 */
class RedisClusterNodeDirectoryTest {

  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension
  static final RedisExtension<RedisClusterServers> REDIS = RedisExtension.cluster(3);
  private RedisNodeDirectory directory;

  @BeforeEach
  void openDirectory() {
    directory = new RedisNodeDirectory(REDIS.emptyCalls());
  }

  private static RedisClusterServers cluster() {
    return REDIS.deployment();
  }

  /** {@code count} names whose keys ({@code keyOf}) land on every master. */
  private static List<String> onEveryMaster(String prefix, int count, Function<String, String> keyOf) {
    return OnEveryMaster.names(cluster(), prefix, count, keyOf);
  }

  private static List<String> nodesOnEveryMaster() {
    return onEveryMaster("node-", 12, node -> RedisPresenceKeys.DEFAULT.nodeKey(node, "alive"));
  }

  @Test
  void everyNodeLearnsWhenRedisLostWhatItAssertedUntilItReasserts() {
    List<String> nodes = nodesOnEveryMaster();
    for (String node : nodes) {
      assertThat(await(directory.heartbeat(node, LONG))).isFalse();
      await(directory.markAsserted(node));
      assertThat(await(directory.heartbeat(node, LONG))).isTrue();
    }
    assertThat(await(directory.knownNodes())).containsExactlyInAnyOrderElementsOf(nodes);

    cluster().flushAll();

    for (String node : nodes) {
      assertThat(await(directory.heartbeat(node, LONG))).isFalse();
    }
  }

  @Test
  void expiredHeartbeatsOnEveryMasterAreDeadAndLiveOnesAreNot() {
    List<String> nodes = nodesOnEveryMaster();
    List<String> doomed = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      boolean dies = i % 2 == 0;
      await(directory.heartbeat(nodes.get(i), dies ? Duration.ofMillis(100) : LONG));
      if (dies) {
        doomed.add(nodes.get(i));
      }
    }
    assertThat(doomed).extracting(node -> cluster().ownerOf(RedisPresenceKeys.DEFAULT.nodeKey(node, "alive")))
        .as("masters of the dying nodes").hasSizeGreaterThan(1);

    Wait.until("the short heartbeats to expire", Duration.ofSeconds(5),
        () -> await(directory.deadNodes()).size() == doomed.size());
    assertThat(await(directory.deadNodes())).containsExactlyInAnyOrderElementsOf(doomed);
  }

  @Test
  void exactlyOneClaimantReapsEachDeadNodeOnEveryMaster() {
    for (String dead : nodesOnEveryMaster()) {
      assertThat(await(directory.claimReaping(dead, "survivor-1", LONG))).isTrue();
      assertThat(await(directory.claimReaping(dead, "survivor-2", LONG))).isFalse();
    }
  }

  @Test
  void sessionRecordsOnEveryMasterAreFoundByTokenAndForgottenWithTheirNode() {
    // session keys are tagged by the token's hash, not by the node: a node's records span masters
    List<String> tokens = onEveryMaster("token-", 12, token -> RedisPresenceKeys.DEFAULT.session(sha256(token)));
    await(directory.heartbeat("dead", Duration.ofMillis(50)));
    for (String token : tokens) {
      await(directory.saveSession(token, record("client-" + token, "dead")));
    }
    for (String token : tokens) {
      SessionRecord found = await(directory.findSession(token));
      assertThat(found.clientId()).isEqualTo(new ClientId("client-" + token));
      assertThat(found.rooms()).containsExactly(new RoomId("team-a"), new RoomId("team-b"));
    }
    await(directory.deleteSession(tokens.get(0), record("client-" + tokens.get(0), "dead")));
    assertThat(await(directory.findSession(tokens.get(0)))).isNull();

    await(directory.forgetNode("dead"));

    for (String token : tokens) {
      assertThat(await(directory.findSession(token))).isNull();
    }
    assertThat(await(directory.knownNodes())).doesNotContain("dead");
  }

  @Test
  void parkedFramesOfClientsOnEveryMasterComeBackInOrderAndEachInboxIsBounded() {
    List<String> clients = onEveryMaster("client-", 12, client -> RedisPresenceKeys.DEFAULT.inbox(new ClientId(client)));
    for (String client : clients) {
      ClientId id = new ClientId(client);
      assertThat(await(directory.offerInbox(id, client + "/1", 2, LONG))).isTrue();
      assertThat(await(directory.offerInbox(id, client + "/2", 2, LONG))).isTrue();
      assertThat(await(directory.offerInbox(id, client + "/3", 2, LONG))).isFalse();
    }
    for (String client : clients) {
      assertThat(await(directory.drainInbox(new ClientId(client)))).containsExactly(client + "/1", client + "/2");
      assertThat(await(directory.drainInbox(new ClientId(client)))).isEmpty();
    }
  }

  private static SessionRecord record(String client, String node) {
    return new SessionRecord(new ClientId(client), node, List.of(new RoomId("team-a"), new RoomId("team-b")), null);
  }

  private static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
