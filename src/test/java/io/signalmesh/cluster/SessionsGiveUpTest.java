package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.InMemoryPresenceStore;
import io.signalmesh.session.SessionRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one way a node gives its sessions up (cut off by a partition, fenced after a pause), and
 * the rule that comes with it: until the node has its place back, the memberships of the
 * sessions it gave up are not its to remove silently (docs/cluster.md).
 */
class SessionsGiveUpTest {

  private final List<String> toldToReconnect = new ArrayList<>();
  // the reaper is not reached: nothing here has leftovers to reap
  private final SessionsGiveUp giveUp = new SessionsGiveUp("n1", new SessionRegistry(), new InMemoryPresenceStore(),
      null, reason -> {
        toldToReconnect.add(reason);
        return 0;
      });

  @Test
  void clientsAreToldWhyTheirNodeGaveThemUp() {
    giveUp.giveUp(SessionsGiveUp.CUT_OFF);
    giveUp.giveUp(SessionsGiveUp.REJOINING);
    assertThat(toldToReconnect).containsExactly("cut-off", "rejoining");
  }

  @Test
  void theirMembershipsAreProtectedUntilTheNodeHasItsPlaceBack() {
    assertThat(giveUp.pending()).as("nothing given up").isFalse();
    giveUp.giveUp(SessionsGiveUp.CUT_OFF);
    assertThat(giveUp.pending()).isTrue();
    giveUp.takenBack(SessionsGiveUp.CUT_OFF);
    assertThat(giveUp.pending()).isFalse();
  }

  @Test
  void aCutOffAndAFenceAtOnceProtectThemUntilTheNodeIsBackFromBoth() {
    giveUp.giveUp(SessionsGiveUp.CUT_OFF);
    giveUp.giveUp(SessionsGiveUp.REJOINING);
    giveUp.takenBack(SessionsGiveUp.CUT_OFF);
    assertThat(giveUp.pending()).as("still fenced").isTrue();
    giveUp.takenBack(SessionsGiveUp.REJOINING);
    assertThat(giveUp.pending()).isFalse();
  }

  @Test
  void aNodeHoldingNothingForSessionsItGaveUpHasNothingToReap() {
    giveUp.giveUp(SessionsGiveUp.CUT_OFF);
    assertThat(giveUp.reapLeftovers().toCompletionStage().toCompletableFuture().join()).isTrue();
  }
}
