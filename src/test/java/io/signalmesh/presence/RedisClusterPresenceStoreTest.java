package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.PresenceStore.NodeMembership;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.RedisClusterServers;
import io.signalmesh.testsupport.RedisExtension;
import io.signalmesh.testsupport.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The presence contract against a real three-master Redis Cluster ({@code redis-cluster://}),
 * plus what only a cluster can break: rooms whose keys live on different masters, and a
 * script cache that each master keeps for itself.
 */
class RedisClusterPresenceStoreTest extends PresenceStoreContract {

  @RegisterExtension
  static final RedisExtension<RedisClusterServers> REDIS = RedisExtension.cluster(3);

  @Override
  protected PresenceStore newEmptyStore() {
    return new RedisPresenceStore(REDIS.emptyCalls());
  }

  private static RedisClusterServers cluster() {
    return REDIS.deployment();
  }

  @Test
  void everyOperationWorksWithRoomsOnEveryMaster() {
    List<RoomId> rooms = OnEveryMaster.rooms(cluster(), 30);
    List<NodeMembership> onA = new ArrayList<>();
    for (RoomId room : rooms) {
      Member alice = member("alice-" + room.value(), NODE_A);
      joined(room, alice);
      onA.add(new NodeMembership(room, alice));
      assertThat(joined(room, member("bob-" + room.value(), NODE_B)).others()).containsExactly(alice);
    }
    for (RedisProcess master : cluster().masters()) {
      assertThat(Long.parseLong(master.command("DBSIZE"))).as("keys on " + master.address()).isPositive();
    }

    assertThat(await(store.rooms(null, 100))).containsExactlyInAnyOrderElementsOf(rooms);
    assertThat(await(store.membershipsOfNode(NODE_A))).containsExactlyInAnyOrderElementsOf(onA);
    for (RoomId room : rooms) {
      assertThat(await(store.members(room))).extracting(Member::nodeId).containsExactlyInAnyOrder(NODE_A, NODE_B);
      assertThat(await(store.leaveIfOnNode(room, new ClientId("bob-" + room.value()), NODE_A))).isFalse();
      assertThat(await(store.leaveIfOnNode(room, new ClientId("bob-" + room.value()), NODE_B))).isTrue();
      assertThat(await(store.leave(room, new ClientId("alice-" + room.value())))).isTrue();
    }
    assertThat(await(store.rooms(null, 100))).isEmpty();
    assertThat(await(store.membershipsOfNode(NODE_A))).isEmpty();
    assertThat(await(store.membershipsOfNode(NODE_B))).isEmpty();
  }

  @Test
  void roomsPagesInIdOrderAcrossMasters() {
    List<RoomId> rooms = OnEveryMaster.rooms(cluster(), 12);
    rooms.forEach(room -> joined(room, member("alice", NODE_A)));
    List<String> expected = rooms.stream().map(RoomId::value).sorted().toList();

    List<String> paged = new ArrayList<>();
    String after = null;
    for (List<RoomId> page = await(store.rooms(null, 5)); !page.isEmpty(); page = await(store.rooms(after, 5))) {
      page.forEach(room -> paged.add(room.value()));
      after = page.get(page.size() - 1).value();
    }

    assertThat(paged).containsExactlyElementsOf(expected);
  }

  @Test
  void aRoomKeepsWorkingWhileAndAfterItsSlotMovesToAnotherMaster() {
    String key = RedisPresenceKeys.DEFAULT.roomMembers(ROOM);
    int slot = cluster().keySlot(key);
    RedisProcess source = cluster().ownerOfSlot(slot);
    RedisProcess target = cluster().masters().stream().filter(m -> m != source).findFirst().orElseThrow();
    Member alice = member("alice", NODE_A);
    joined(ROOM, alice);

    cluster().moveSlot(slot, target, () -> {
      // the room's hash is on the target already, the slot still names the source: ASK
      assertThat(joined(ROOM, member("bob", NODE_B)).others()).containsExactly(alice);
      assertThat(await(store.members(ROOM))).hasSize(2);
    });

    // the old master now answers MOVED
    assertThat(cluster().ownerOf(key)).isSameAs(target);
    assertThat(joined(ROOM, member("carol", NODE_A)).others()).hasSize(2);
    assertThat(await(store.leave(ROOM, new ClientId("alice")))).isTrue();
    assertThat(target.command("HLEN", key)).isEqualTo("2");
    assertThat(await(store.membershipsOfNode(NODE_A))).extracting(m -> m.member().clientId().value())
        .containsExactly("carol");
  }

  /**
   * The Vert.x cluster client takes a connection to every master per command; without a limit on
   * commands in flight, a burst from several event loops deadlocked its pools for good.
   */
  @Test
  void aBurstOfJoinsFromManyEventLoopsCompletesAndTheStoreKeepsAnswering() {
    RedisPresenceStore patient = new RedisPresenceStore(REDIS.vertx(), RedisUrl.parse(cluster().url()), Duration.ofSeconds(10));
    try {
      List<Future<?>> bursts = new ArrayList<>();
      for (int loop = 0; loop < 8; loop++) {
        String prefix = "burst-" + loop + "-";
        Promise<Void> burst = Promise.promise();
        ((VertxInternal) REDIS.vertx()).createEventLoopContext().runOnContext(go -> {
          List<Future<JoinResult>> joins = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            joins.add(patient.join(new RoomId(prefix + i), member("alice", NODE_A), 10));
          }
          Future.all(joins).<Void>mapEmpty().onComplete(burst);
        });
        bursts.add(burst.future());
      }

      await(Future.all(bursts));

      assertThat(await(patient.members(new RoomId("burst-7-49")))).hasSize(1);
      assertThat(await(patient.membershipsOfNode(NODE_A))).hasSize(400);
    } finally {
      await(patient.close());
    }
  }

  @Test
  void joinWorksOnEveryMasterAfterEachLostItsScripts() {
    List<RoomId> rooms = OnEveryMaster.rooms(cluster(), 30);
    rooms.forEach(room -> joined(room, member("alice", NODE_A)));
    cluster().masters().forEach(master -> assertThat(master.command("SCRIPT", "FLUSH")).isEqualTo("OK"));

    for (RoomId room : rooms) {
      assertThat(joined(room, member("bob", NODE_A)).others()).hasSize(1);
      assertThat(await(store.leave(room, new ClientId("bob")))).isTrue();
    }
  }
}
