package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a node decides it was cut off from the mesh and gives its clients up (docs/reliability.md). */
class ClusterIsolationTest {

  private static final Duration LONG = Duration.ofSeconds(8);

  @Test
  void aNodeWithoutRedisThatLostTheMajorityOfItsClusterIsCutOff() {
    assertThat(ClusterIsolation.isCutOff(LONG, 1, 3)).isTrue();
    assertThat(ClusterIsolation.isCutOff(LONG, 1, 2)).isTrue();
    assertThat(ClusterIsolation.isCutOff(LONG, 2, 4)).as("an even split").isTrue();
  }

  @Test
  void redisDownForEveryoneIsNotAPartition() {
    assertThat(ClusterIsolation.isCutOff(LONG, 3, 3)).isFalse();
  }

  @Test
  void theMajoritySideKeepsItsClientsEvenWithoutRedis() {
    assertThat(ClusterIsolation.isCutOff(LONG, 2, 3)).isFalse();
  }

  @Test
  void aShortOutageIsNotACut() {
    Duration withinTtl = NodeLiveness.TTL.plus(ClusterIsolation.MARGIN);
    assertThat(ClusterIsolation.isCutOff(withinTtl, 1, 3)).isFalse();
  }
}
