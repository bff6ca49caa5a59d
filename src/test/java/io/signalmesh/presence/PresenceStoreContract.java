package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.JoinResult.Full;
import io.signalmesh.presence.JoinResult.Joined;
import io.signalmesh.presence.PresenceStore.NodeMembership;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PresenceStore} promises, run against each implementation. A subclass gives
 * a fresh, empty store per test.
 */
abstract class PresenceStoreContract {

  static final RoomId ROOM = new RoomId("room-1");
  static final String NODE_A = "node-a";
  static final String NODE_B = "node-b";

  protected PresenceStore store;

  /** A store with no presence in it. */
  protected abstract PresenceStore newEmptyStore();

  @BeforeEach
  void openStore() {
    store = newEmptyStore();
  }

  @AfterEach
  void closeStore() {
    await(store.close());
  }

  static Member member(String client, String node) {
    return new Member(new ClientId(client), node, "name of " + client, new JsonObject().put("color", "teal"), 1_000L);
  }

  static Member member(String client, String node, long joinedAt) {
    return new Member(new ClientId(client), node, "name of " + client, null, joinedAt);
  }

  Joined joined(RoomId room, Member member) {
    JoinResult result = await(store.join(room, member, 100));
    assertThat(result).isInstanceOf(Joined.class);
    return (Joined) result;
  }

  @Test
  void firstJoinerFindsNobodyElse() {
    Joined result = joined(ROOM, member("alice", NODE_A));

    assertThat(result.others()).isEmpty();
    assertThat(result.rejoined()).isFalse();
  }

  @Test
  void joinReturnsTheRoomsOtherMembersWithTheirNodes() {
    Member alice = member("alice", NODE_A, 1_000);
    Member bob = member("bob", NODE_B, 2_000);
    joined(ROOM, alice);
    joined(ROOM, bob);

    Joined result = joined(ROOM, member("carol", NODE_A, 3_000));

    assertThat(result.others()).containsExactlyInAnyOrder(alice, bob);
  }

  @Test
  void joinIntoAFullRoomAnswersFullAndChangesNothing() {
    await(store.join(ROOM, member("alice", NODE_A), 2));
    await(store.join(ROOM, member("bob", NODE_A), 2));

    JoinResult result = await(store.join(ROOM, member("carol", NODE_B), 2));

    assertThat(result).isEqualTo(new Full(2));
    assertThat(await(store.members(ROOM))).extracting(m -> m.clientId().value()).containsExactlyInAnyOrder("alice", "bob");
  }

  @Test
  void aMemberOfAFullRoomCanJoinAgain() {
    await(store.join(ROOM, member("alice", NODE_A), 2));
    await(store.join(ROOM, member("bob", NODE_A), 2));

    JoinResult result = await(store.join(ROOM, member("alice", NODE_B), 2));

    assertThat(result).isInstanceOf(Joined.class);
    assertThat(((Joined) result).rejoined()).isTrue();
  }

  @Test
  void rejoinKeepsTheFirstJoinTimeAndTakesTheNewNodeAndProfile() {
    joined(ROOM, new Member(new ClientId("alice"), NODE_A, "Alice", null, 1_000));

    Joined result = joined(ROOM, new Member(new ClientId("alice"), NODE_B, "Alice B.",
        new JsonObject().put("mic", false), 9_000));

    assertThat(result.rejoined()).isTrue();
    assertThat(await(store.members(ROOM))).containsExactly(
        new Member(new ClientId("alice"), NODE_B, "Alice B.", new JsonObject().put("mic", false), 1_000));
  }

  @Test
  void membersKeepNameMetadataAndJoinTimeAsGiven() {
    JsonObject metadata = new JsonObject()
        .put("tags", new JsonArray().add("a").add(2).add(new JsonObject()))
        .put("empty", new JsonArray())
        .put("big", 9_007_199_254_740_993L)
        .put("ratio", 0.125)
        .put("text", "quotes \" and unicode \u00e9\u4e2d");
    Member full = new Member(new ClientId("alice"), NODE_A, "Alice \u00e9", metadata, 1_712_345_678_901L);
    Member bare = new Member(new ClientId("bob"), NODE_B, null, null, 1_712_345_678_902L);
    joined(ROOM, full);
    joined(ROOM, bare);

    List<Member> members = await(store.members(ROOM));

    assertThat(members).containsExactlyInAnyOrder(full, bare);
    Member stored = members.stream().filter(m -> m.clientId().value().equals("alice")).findFirst().orElseThrow();
    assertThat(stored.metadata().encode()).isEqualTo(metadata.encode());
  }

  @Test
  void leaveRemovesTheMemberAndAnswersTrue() {
    joined(ROOM, member("alice", NODE_A));
    joined(ROOM, member("bob", NODE_A));

    assertThat(await(store.leave(ROOM, new ClientId("alice")))).isTrue();
    assertThat(await(store.members(ROOM))).extracting(m -> m.clientId().value()).containsExactly("bob");
  }

  @Test
  void leaveOfAClientThatIsNotAMemberAnswersFalse() {
    joined(ROOM, member("alice", NODE_A));

    assertThat(await(store.leave(ROOM, new ClientId("bob")))).isFalse();
    assertThat(await(store.leave(new RoomId("nowhere"), new ClientId("alice")))).isFalse();
  }

  @Test
  void leaveIfOnNodeRemovesAMemberThatNodeHolds() {
    joined(ROOM, member("alice", NODE_A));

    assertThat(await(store.leaveIfOnNode(ROOM, new ClientId("alice"), NODE_A))).isTrue();
    assertThat(await(store.members(ROOM))).isEmpty();
  }

  @Test
  void leaveIfOnNodeSparesAMemberThatResumedOnAnotherNode() {
    joined(ROOM, member("alice", NODE_A));
    joined(ROOM, member("alice", NODE_B));

    assertThat(await(store.leaveIfOnNode(ROOM, new ClientId("alice"), NODE_A))).isFalse();
    assertThat(await(store.leaveIfOnNode(ROOM, new ClientId("alice"), ""))).isFalse();
    assertThat(await(store.members(ROOM))).extracting(Member::nodeId).containsExactly(NODE_B);
  }

  @Test
  void membersOfARoomNobodyJoinedIsEmpty() {
    assertThat(await(store.members(new RoomId("empty-room")))).isEmpty();
  }

  @Test
  void roomsListsEveryRoomWithMembersInIdOrder() {
    for (String id : List.of("charlie", "alpha", "bravo")) {
      joined(new RoomId(id), member("alice", NODE_A));
    }

    assertThat(await(store.rooms(null, 10))).extracting(RoomId::value).containsExactly("alpha", "bravo", "charlie");
  }

  @Test
  void roomsPagesFromAfterUpToLimit() {
    for (String id : List.of("r1", "r2", "r3", "r4", "r5")) {
      joined(new RoomId(id), member("alice", NODE_A));
    }

    assertThat(await(store.rooms(null, 2))).extracting(RoomId::value).containsExactly("r1", "r2");
    assertThat(await(store.rooms("r2", 2))).extracting(RoomId::value).containsExactly("r3", "r4");
    assertThat(await(store.rooms("r4", 2))).extracting(RoomId::value).containsExactly("r5");
    assertThat(await(store.rooms("r5", 2))).isEmpty();
  }

  @Test
  void roomsOmitsARoomOnceItsLastMemberLeft() {
    joined(new RoomId("kept"), member("alice", NODE_A));
    joined(new RoomId("left"), member("bob", NODE_A));

    await(store.leave(new RoomId("left"), new ClientId("bob")));

    assertThat(await(store.rooms(null, 10))).extracting(RoomId::value).containsExactly("kept");
  }

  @Test
  void membershipsOfNodeListsExactlyThatNodesMembers() {
    RoomId other = new RoomId("room-2");
    Member alice = member("alice", NODE_A);
    Member carol = member("carol", NODE_A);
    joined(ROOM, alice);
    joined(ROOM, member("bob", NODE_B));
    joined(other, carol);

    assertThat(await(store.membershipsOfNode(NODE_A)))
        .containsExactlyInAnyOrder(new NodeMembership(ROOM, alice), new NodeMembership(other, carol));
  }

  @Test
  void membershipsOfNodeForgetsMembersThatLeftOrMovedAway() {
    joined(ROOM, member("alice", NODE_A));
    joined(ROOM, member("bob", NODE_A));
    await(store.leave(ROOM, new ClientId("alice")));
    Member bobOnB = member("bob", NODE_B);
    joined(ROOM, bobOnB);

    assertThat(await(store.membershipsOfNode(NODE_A))).isEmpty();
    assertThat(await(store.membershipsOfNode(NODE_B))).containsExactly(new NodeMembership(ROOM, bobOnB));
  }

  @Test
  void membershipsOfNodeListsEveryMemberOfABusyNode() {
    List<NodeMembership> expected = new ArrayList<>();
    for (int r = 0; r < 60; r++) {
      RoomId room = new RoomId("busy-" + r);
      for (int c = 0; c < 3; c++) {
        Member member = member("client-" + r + "-" + c, NODE_A);
        joined(room, member);
        expected.add(new NodeMembership(room, member));
      }
    }

    assertThat(await(store.membershipsOfNode(NODE_A))).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void concurrentJoinsAdmitExactlyTheCapacity() throws InterruptedException {
    int capacity = 10;
    int joiners = 20;
    ExecutorService threads = Executors.newFixedThreadPool(joiners);
    try {
      for (int round = 0; round < 5; round++) {
        RoomId room = new RoomId("crowded-" + round);
        List<JoinResult> results = joinAllAtOnce(threads, room, joiners, capacity);

        assertThat(results).filteredOn(Joined.class::isInstance).hasSize(capacity);
        assertThat(results).filteredOn(Full.class::isInstance).hasSize(joiners - capacity);
        assertThat(await(store.members(room))).hasSize(capacity);
      }
    } finally {
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Starts {@code joiners} joins into {@code room} from as many threads, released together. */
  private List<JoinResult> joinAllAtOnce(ExecutorService threads, RoomId room, int joiners, int capacity) {
    CountDownLatch go = new CountDownLatch(1);
    List<java.util.concurrent.Future<Future<JoinResult>>> submitted = new ArrayList<>();
    for (int i = 0; i < joiners; i++) {
      Member joiner = member("client-" + i, i % 2 == 0 ? NODE_A : NODE_B);
      submitted.add(threads.submit(() -> {
        go.await();
        return store.join(room, joiner, capacity);
      }));
    }
    go.countDown();
    List<JoinResult> results = new ArrayList<>();
    for (var pending : submitted) {
      results.add(await(uninterrupted(pending)));
    }
    return results;
  }

  private static <T> T uninterrupted(java.util.concurrent.Future<T> future) {
    try {
      return future.get(Futures.AWAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("joiner thread failed", e);
    }
  }
}
