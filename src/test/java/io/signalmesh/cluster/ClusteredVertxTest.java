package io.signalmesh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.signalmesh.config.ClusterConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Hazelcast configuration the cluster flags turn into. */
class ClusteredVertxTest {

  @Test
  void aKilledMemberIsNoticedWithinSecondsNotAMinute() {
    Config config = ClusteredVertx.hazelcast(new ClusterConfig(true, "127.0.0.1", 5701, List.of(), null, 0));
    assertThat(Integer.parseInt(config.getProperty("hazelcast.max.no.heartbeat.seconds"))).isLessThanOrEqualTo(5);
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
  }

  @Test
  void memberListFlagsBecomeTcpIpDiscoveryWithoutMulticast() {
    Config config = ClusteredVertx.hazelcast(new ClusterConfig(true, "10.0.0.5", 5702,
        List.of("10.0.0.5:5702", "10.0.0.6:5702"), null, 0));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.5:5702", "10.0.0.6:5702");
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5702);
    assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("10.0.0.5:5702");
  }

  @Test
  void aDnsNameBecomesKubernetesDnsLookupDiscovery() {
    Config config = ClusteredVertx.hazelcast(new ClusterConfig(true, "10.0.0.5", 5701, List.of(),
        "signalmesh-hz.default.svc.cluster.local", 0));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("signalmesh-hz.default.svc.cluster.local");
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
  }
}
