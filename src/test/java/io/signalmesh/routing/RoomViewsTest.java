package io.signalmesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoomViewsTest {

  private static final RoomId ROOM = new RoomId("call");
  private final RoomViews views = new RoomViews("n1");
  private final Member ada = member("ada", "n1");
  private final Member bob = member("bob", "n2");

  @Test
  void aJoinAnnouncedBeforeThisNodesOwnJoinCameBackIsInTheView() {
    // bob joined on n2 right after ada's join read the room (empty) and before ada's view existed
    views.remoteJoin(ROOM, bob);
    views.localJoin(ROOM, ada, List.of());

    assertThat(views.member(ROOM, bob.clientId())).isEqualTo(bob);
    assertThat(views.members(ROOM)).containsExactlyInAnyOrder(ada, bob);
  }

  @Test
  void aDepartureAnnouncedBeforeTheViewExistedOutranksTheSnapshot() {
    views.remoteJoin(ROOM, bob);
    views.left(ROOM, bob.clientId());
    views.localJoin(ROOM, ada, List.of(bob));

    assertThat(views.member(ROOM, bob.clientId())).isNull();
  }

  @Test
  void eventsForARoomWithoutALocalMemberTrackNothing() {
    views.remoteJoin(ROOM, bob);

    assertThat(views.size()).isZero();
    assertThat(views.members(ROOM)).isEmpty();
  }

  @Test
  void clearingForgetsEveryViewAndKeptEvent() {
    views.localJoin(ROOM, ada, List.of(bob));
    views.remoteJoin(new RoomId("other"), bob);
    views.clear();

    assertThat(views.size()).isZero();
    views.localJoin(new RoomId("other"), ada, List.of());
    assertThat(views.members(new RoomId("other"))).containsExactly(ada);
  }

  private static Member member(String id, String node) {
    return new Member(new ClientId(id), node, id, null, 0);
  }
}
