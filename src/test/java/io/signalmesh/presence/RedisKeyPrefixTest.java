package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.presence.NodeDirectory.SessionRecord;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.RedisExtension;
import io.signalmesh.testsupport.RedisServer;
import io.signalmesh.webhook.Receiver;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --redis-key-prefix}: meshes that share one Redis database under prefixes of their own do
 * not see each other's rooms, nodes or sessions, and write no key outside their prefix.
 */
class RedisKeyPrefixTest {

  @RegisterExtension
  static final RedisExtension<RedisServer> REDIS = RedisExtension.standalone();

  private final RedisCalls calls = REDIS.emptyCalls();

  @Test
  void meshesUnderTheirOwnPrefixesSeeOnlyTheirOwnRoomsMembersAndNodes() {
    Mesh blue = new Mesh("blue:");
    Mesh green = new Mesh("green:");
    await(blue.store.join(new RoomId("standup"), member("alice", "blue-1"), 10));
    await(green.store.join(new RoomId("standup"), member("bob", "green-1"), 10));
    await(green.store.join(new RoomId("retro"), member("carol", "green-1"), 10));
    await(blue.directory.heartbeat("blue-1", Duration.ofSeconds(30)));
    await(green.directory.heartbeat("green-1", Duration.ofSeconds(30)));

    assertThat(await(blue.store.rooms(null, 10))).containsExactly(new RoomId("standup"));
    assertThat(await(green.store.rooms(null, 10))).containsExactly(new RoomId("retro"), new RoomId("standup"));
    assertThat(await(blue.store.members(new RoomId("standup")))).extracting(m -> m.clientId().value())
        .containsExactly("alice");
    assertThat(await(green.store.members(new RoomId("standup")))).extracting(m -> m.clientId().value())
        .containsExactly("bob");
    assertThat(await(blue.directory.knownNodes())).containsExactly("blue-1");
    assertThat(await(green.directory.knownNodes())).containsExactly("green-1");
  }

  @Test
  void everyKeyAMeshWritesStartsWithItsPrefix() {
    Mesh tenant = new Mesh("tenant-7:");
    await(tenant.store.join(new RoomId("standup"), member("alice", "n1"), 10));
    await(tenant.directory.heartbeat("n1", Duration.ofSeconds(30)));
    await(tenant.directory.markAsserted("n1"));
    await(tenant.directory.saveSession("token-of-alice",
        new SessionRecord(new ClientId("alice"), "n1", List.of(new RoomId("standup")), null)));
    await(tenant.directory.offerInbox(new ClientId("alice"), "{\"type\":\"chat\"}", 10, Duration.ofSeconds(30)));

    List<String> keys = REDIS.deployment().keys("*");
    assertThat(keys).hasSizeGreaterThanOrEqualTo(8)
        // the deadlines' hash tag is the node set's name, so it opens with a brace
        .allSatisfy(key -> assertThat(key).matches("\\{?tenant-7:.*"));
    assertThat(keys).contains("{tenant-7:nodes}:deadlines", "tenant-7:rooms", "tenant-7:room:{standup}:members");
  }

  @Test
  void aWebhookReceiversOutboxStreamIsUnderThePrefixToo() {
    List<Receiver> receivers = Receiver.of(List.of("https://hooks.example.com/a"), new RedisPresenceKeys("tenant-7:"));

    assertThat(receivers.get(0).streamKey()).matches("tenant-7:webhooks:\\{[0-9a-f]{16}}");
    assertThat(Receiver.of(List.of("https://hooks.example.com/a")).get(0).streamKey())
        .isEqualTo(receivers.get(0).streamKey().replace("tenant-7:", "signalmesh:"));
  }

  @Test
  void aPrefixWithABraceIsRefusedSinceItWouldBecomeEveryKeysHashTag() {
    assertThatThrownBy(() -> new RedisPresenceKeys("mesh{1}:")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brace");
  }

  private static Member member(String client, String node) {
    return new Member(new ClientId(client), node, client, new JsonObject(), 1_000L);
  }

  private final class Mesh {
    final RedisPresenceStore store;
    final RedisNodeDirectory directory;

    Mesh(String prefix) {
      RedisPresenceKeys keys = new RedisPresenceKeys(prefix);
      store = new RedisPresenceStore(calls, keys, OutboxStreams.none());
      directory = new RedisNodeDirectory(calls, keys);
    }
  }
}
