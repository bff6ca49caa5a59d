package io.signalmesh.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The frames of joins and leaves are written as text: a client gets the very bytes a JSON tree
 * of the same message encodes to (protocol.md), escapes and member order included.
 */
class RoomFramesTest {

  private static final RoomId ROOM = new RoomId("room-1");
  private static final String AWKWARD = "q\"b\\s/c\u0001\u001f\t\n é \u2028 😀";
  private static final Member PLAIN = new Member(new ClientId("Yx3fQm9kT2sVb8LpW1aZcQ"), "node-a", null, null, 1);
  private static final Member NAMED = new Member(new ClientId("a\"b"), "node-b", AWKWARD,
      new JsonObject().put("role", AWKWARD).put("n", 1.5).put("list", new JsonArray().add(true).addNull()), 2);
  private static final Member NAME_ONLY = new Member(new ClientId("c"), "node-a", "Ann", null, 3);
  private static final Member METADATA_ONLY = new Member(new ClientId("d"), "node-a", null, new JsonObject().put("x", 1), 4);

  @Test
  void roomParticipantsListsTheOthersAndTheirProfilesAsATreeWould() {
    List<Member> others = List.of(PLAIN, NAMED, NAME_ONLY, METADATA_ONLY);
    JsonArray ids = new JsonArray();
    JsonObject profiles = new JsonObject();
    others.forEach(m -> {
      ids.add(m.clientId().value());
      profiles.put(m.clientId().value(), profileOf(m, new JsonObject()));
    });

    assertThat(ServerMessages.roomParticipants(ROOM, others)).isEqualTo(new JsonObject().put("type", "room-participants")
        .put("roomId", ROOM.value()).put("participants", ids).put("profiles", profiles).encode());
  }

  @Test
  void roomParticipantsOfAnEmptyRoomHasEmptyListAndProfiles() {
    assertThat(ServerMessages.roomParticipants(ROOM, List.of()))
        .isEqualTo("{\"type\":\"room-participants\",\"roomId\":\"room-1\",\"participants\":[],\"profiles\":{}}");
  }

  @Test
  void participantJoinedCarriesNameAndMetadataOnlyWhenSetAsATreeWould() {
    for (Member member : List.of(PLAIN, NAMED, NAME_ONLY, METADATA_ONLY)) {
      JsonObject tree = profileOf(member, new JsonObject().put("type", "participant-joined").put("roomId", ROOM.value())
          .put("participantId", member.clientId().value()));

      assertThat(ServerMessages.participantJoined(ROOM, member)).isEqualTo(tree.encode());
    }
  }

  @Test
  void participantLeftAndPeerDisconnectedAreWhatATreeEncodesTo() {
    ClientId awkward = new ClientId(AWKWARD);
    for (LeaveReason reason : LeaveReason.values()) {
      assertThat(ServerMessages.participantLeft(ROOM, awkward, reason)).isEqualTo(new JsonObject()
          .put("type", "participant-left").put("roomId", ROOM.value()).put("participantId", AWKWARD)
          .put("reason", reason.wireName()).encode());
    }
    assertThat(ServerMessages.peerDisconnected(awkward))
        .isEqualTo(new JsonObject().put("type", "peer-disconnected").put("clientId", AWKWARD).encode());
  }

  /** A member's profile as protocol.md gives it, put into {@code into}: name and metadata, each only when set. */
  private static JsonObject profileOf(Member member, JsonObject into) {
    if (member.name() != null) {
      into.put("name", member.name());
    }
    if (member.metadata() != null) {
      into.put("metadata", member.metadata());
    }
    return into;
  }
}
