package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeLeaseTest {

  private final NodeLease lease = new NodeLease();
  private final List<String> ran = new ArrayList<>();

  @Test
  void aNodeThatJustHeartbeatServesAndRunsWorkAtOnce() {
    lease.vouched(System.nanoTime());
    lease.whenServing(() -> ran.add("now"));
    assertThat(lease.serving()).isTrue();
    assertThat(ran).containsExactly("now");
  }

  @Test
  void aFencedNodeServesNothingAndWhatWaitsRunsOnceItRejoined() {
    lease.fence();
    lease.whenServing(() -> ran.add("held while fenced"));
    lease.vouched(System.nanoTime());
    assertThat(lease.serving()).isFalse();
    assertThat(ran).as("a heartbeat does not end a fence").isEmpty();

    lease.rejoined();
    assertThat(lease.serving()).isTrue();
    assertThat(ran).containsExactly("held while fenced");
  }
}
