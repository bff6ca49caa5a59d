package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PresenceStore} records in the webhook outbox with a membership change: the
 * events that apply, in order, and only those, so that a room starts and finishes exactly once.
 * A subclass gives a fresh store and reads back what it recorded.
 */
abstract class PresenceOutboxContract {

  static final RoomId ROOM = new RoomId("outbox-room");
  static final String NODE_A = "node-a";
  static final String NODE_B = "node-b";

  protected PresenceStore store;

  /** A store with no presence in it and an empty outbox. */
  protected abstract PresenceStore newEmptyStore();

  /** Every event recorded so far, oldest first. */
  protected abstract List<String> recorded();

  @BeforeEach
  void openStore() {
    store = newEmptyStore();
  }

  @AfterEach
  void closeStore() {
    await(store.close());
  }

  static OutboxEvents joinEvents(String client) {
    return new OutboxEvents("joined " + client, "started by " + client);
  }

  static OutboxEvents leaveEvents(String client) {
    return new OutboxEvents("left " + client, "finished by " + client);
  }

  void join(String client, String node) {
    await(store.join(ROOM, PresenceStoreContract.member(client, node), 10, joinEvents(client)));
  }

  boolean leave(String client) {
    return await(store.leave(ROOM, new ClientId(client), leaveEvents(client)));
  }

  @Test
  void theFirstJoinRecordsRoomStartedThenParticipantJoined() {
    join("alice", NODE_A);

    assertThat(recorded()).containsExactly("started by alice", "joined alice");
  }

  @Test
  void laterJoinsRecordOnlyParticipantJoined() {
    join("alice", NODE_A);
    join("bob", NODE_B);

    assertThat(recorded()).containsExactly("started by alice", "joined alice", "joined bob");
  }

  @Test
  void aRejoinRecordsNothing() {
    join("alice", NODE_A);
    join("alice", NODE_B);

    assertThat(recorded()).containsExactly("started by alice", "joined alice");
  }

  @Test
  void aJoinIntoAFullRoomRecordsNothing() {
    join("alice", NODE_A);
    await(store.join(ROOM, PresenceStoreContract.member("bob", NODE_A), 1, joinEvents("bob")));

    assertThat(recorded()).containsExactly("started by alice", "joined alice");
  }

  @Test
  void aLeaveRecordsParticipantLeftAndTheLastOneRoomFinishedAfterIt() {
    join("alice", NODE_A);
    join("bob", NODE_A);

    leave("alice");
    leave("bob");

    assertThat(recorded()).containsExactly("started by alice", "joined alice", "joined bob",
        "left alice", "left bob", "finished by bob");
  }

  @Test
  void aLeaveOfSomeoneNotInTheRoomRecordsNothing() {
    join("alice", NODE_A);

    assertThat(leave("bob")).isFalse();
    assertThat(await(store.leave(new RoomId("elsewhere"), new ClientId("alice"), leaveEvents("alice")))).isFalse();

    assertThat(recorded()).containsExactly("started by alice", "joined alice");
  }

  @Test
  void reapingRecordsOnlyWhatItRemoved() {
    join("alice", NODE_A);
    join("alice", NODE_B);

    assertThat(await(store.leaveIfOnNode(ROOM, new ClientId("alice"), NODE_A, leaveEvents("alice")))).isFalse();
    assertThat(await(store.leaveIfOnNode(ROOM, new ClientId("alice"), NODE_B, leaveEvents("alice")))).isTrue();

    assertThat(recorded()).containsExactly("started by alice", "joined alice", "left alice", "finished by alice");
  }

  @Test
  void changesThatAnnounceNothingRecordNothing() {
    await(store.join(ROOM, PresenceStoreContract.member("alice", NODE_A), 10));
    await(store.join(ROOM, PresenceStoreContract.member("bob", NODE_A), 10, OutboxEvents.NONE));
    await(store.leave(ROOM, new ClientId("alice")));
    await(store.leaveIfOnNode(ROOM, new ClientId("bob"), NODE_A));

    assertThat(recorded()).isEmpty();
  }

  @Test
  void aRoomEmptiedAndJoinedAgainStartsAgain() {
    join("alice", NODE_A);
    leave("alice");
    join("bob", NODE_A);

    assertThat(recorded()).containsExactly("started by alice", "joined alice", "left alice", "finished by alice",
        "started by bob", "joined bob");
  }
}
