package io.signalmesh.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several nodes cold-started at once (a fresh deployment, a whole-cluster restart) form one
 * cluster, not two that would each route only to their own half: by the time all are ready,
 * every node lists all of them as reachable in one Hazelcast cluster, and signaling crosses
 * every pair. Twice, since a split would be a race.
 */
@Timeout(180)
class ColdStartIT {

  @Test
  void threeNodesStartedAtOnceAreOneClusterOnceReady() {
    for (int round = 1; round <= 2; round++) {
      try (MeshCluster mesh = MeshCluster.start("cold" + round, 3)) {
        List<io.signalmesh.testsupport.NodeProcess> nodes = List.of(mesh.node(0), mesh.node(1), mesh.node(2));
        assertThat(MeshChecks.oneClusterOf(nodes))
            .as("round " + round + ": every node lists all three, reachable, in one cluster of three: "
                + nodes.stream().map(MeshChecks::listedBy).toList())
            .isTrue();
        MeshChecks.relaysBetweenEveryPair(nodes, "cold-room");
      }
    }
  }
}
