package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.RedisClusterServers;
import io.signalmesh.testsupport.RedisExtension;
import io.signalmesh.testsupport.RedisProcess;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The outbox contract of the Redis store on a real three-master Redis Cluster, where the events
 * are appended right after the join and leave scripts ({@code outbox-append.lua}): the two
 * receivers' streams live on the two masters that do not hold the contract's room, and further
 * rooms on every master, so each append crosses masters. Every stream gets every event.
 */
class RedisClusterPresenceOutboxTest extends PresenceOutboxContract {

  /** Room enough for every event a test records: none is dropped for a full stream here. */
  private static final int STREAM_CAPACITY = 1_000;

  @RegisterExtension
  static final RedisExtension<RedisClusterServers> REDIS = RedisExtension.cluster(3);
  private static List<String> streams;

  @BeforeAll
  static void pickStreams() {
    streams = streamsAwayFrom(cluster().ownerOf(RedisPresenceKeys.DEFAULT.roomMembers(ROOM)));
  }

  private static RedisClusterServers cluster() {
    return REDIS.deployment();
  }

  /** One stream on each master but {@code roomMaster}: asserted, not assumed. */
  private static List<String> streamsAwayFrom(RedisProcess roomMaster) {
    List<String> found = new ArrayList<>();
    Set<RedisProcess> owners = new HashSet<>();
    for (int i = 0; found.size() < cluster().masters().size() - 1; i++) {
      String key = "signalmesh:webhooks:{receiver-" + i + "}";
      RedisProcess owner = cluster().ownerOf(key);
      if (owner != roomMaster && owners.add(owner)) {
        found.add(key);
      }
    }
    return List.copyOf(found);
  }

  @Override
  protected PresenceStore newEmptyStore() {
    return new RedisPresenceStore(REDIS.emptyCalls(), new OutboxStreams(streams, STREAM_CAPACITY, false));
  }

  @Override
  protected List<String> recorded() {
    List<String> first = events(streams.get(0));
    for (String stream : streams) {
      assertThat(events(stream)).as(stream).isEqualTo(first);
    }
    return first;
  }

  private static List<String> events(String stream) {
    List<String> bodies = new ArrayList<>();
    for (Object entry : (List<?>) cluster().call("XRANGE", stream, "-", "+")) {
      bodies.add(((List<?>) ((List<?>) entry).get(1)).get(1).toString());
    }
    return bodies;
  }

  /** Each room's whole life, joins and leaves of two members, as each stream recorded it. */
  private void liveAndFinish(List<RoomId> rooms) {
    for (RoomId room : rooms) {
      String alice = "alice-" + room.value();
      String bob = "bob-" + room.value();
      await(store.join(room, PresenceStoreContract.member(alice, NODE_A), 10, joinEvents(alice)));
      await(store.join(room, PresenceStoreContract.member(bob, NODE_B), 10, joinEvents(bob)));
      assertThat(await(store.leave(room, new ClientId(alice), leaveEvents(alice)))).isTrue();
      assertThat(await(store.leaveIfOnNode(room, new ClientId(bob), NODE_B, leaveEvents(bob)))).isTrue();
    }
  }

  private static List<String> lifeOf(RoomId room) {
    String alice = "alice-" + room.value();
    String bob = "bob-" + room.value();
    return List.of("started by " + alice, "joined " + alice, "joined " + bob,
        "left " + alice, "left " + bob, "finished by " + bob);
  }

  @Test
  void changesInRoomsOnEveryMasterReachEveryStreamInOrder() {
    List<RoomId> rooms = OnEveryMaster.rooms(cluster(), 30);

    liveAndFinish(rooms);

    List<String> expected = new ArrayList<>();
    rooms.forEach(room -> expected.addAll(lifeOf(room)));
    assertThat(recorded()).containsExactlyElementsOf(expected);
  }

  @Test
  void eventsAreRecordedAfterEveryMasterLostItsScripts() {
    List<RoomId> rooms = OnEveryMaster.rooms(cluster(), 30);
    liveAndFinish(rooms.subList(0, 1));
    cluster().masters().forEach(master -> assertThat(master.command("SCRIPT", "FLUSH")).isEqualTo("OK"));

    liveAndFinish(rooms);

    List<String> expected = new ArrayList<>(lifeOf(rooms.get(0)));
    rooms.forEach(room -> expected.addAll(lifeOf(room)));
    assertThat(recorded()).containsExactlyElementsOf(expected);
  }

  /**
   * The indexes live on other masters and are updated after the script: a join that Redis applied
   * is announced even if that update failed (here: the room index is not a sorted set), or the
   * receiver would see the room finish without ever having started.
   */
  @Test
  void aJoinAppliedWhileTheRoomIndexFailedStillStartsTheRoomItsLeaveFinishes() {
    assertThat(cluster().command("SET", RedisPresenceKeys.DEFAULT.rooms(), "not a sorted set")).isEqualTo("OK");
    assertThatThrownBy(() -> join("alice", NODE_A)).isInstanceOf(PresenceUnavailableException.class)
        .hasMessageContaining("WRONGTYPE");
    assertThat(cluster().command("DEL", RedisPresenceKeys.DEFAULT.rooms())).isEqualTo("1");

    assertThat(leave("alice")).isTrue();

    assertThat(recorded()).containsExactly("started by alice", "joined alice", "left alice", "finished by alice");
  }
}
