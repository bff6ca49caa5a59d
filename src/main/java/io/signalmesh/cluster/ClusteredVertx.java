package io.signalmesh.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.signalmesh.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a clustered Vert.x on Hazelcast from {@link ClusterConfig}: TCP-IP member list for
 * local runs, Kubernetes DNS lookup through a headless Service in Kubernetes, and a failure
 * detector tuned to notice a dead member within seconds rather than a minute.
 */
public final class ClusteredVertx {

  /** Heartbeat every second; a member silent this long is removed. Longer than a typical GC pause, far shorter than Hazelcast's 60 s. */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 5;
  /** Event-bus connections are pinged this often and dropped when a ping is not answered within the same time. */
  public static final long EVENT_BUS_PING_MILLIS = 2000;
  /**
   * A connection to another node's event bus that is not up by then is given up and tried
   * again on the next message, instead of waiting out the default minute: traffic resumes
   * within seconds when a blocked path opens again.
   */
  public static final int EVENT_BUS_CONNECT_TIMEOUT_MILLIS = 2000;

  private ClusteredVertx() {}

  /** @param options the node's other Vert.x options (metrics); the event bus options are set here */
  public static Future<Vertx> start(ClusterConfig cluster, VertxOptions options) {
    EventBusOptions eventBus = new EventBusOptions()
        .setHost(cluster.host())
        .setPort(cluster.eventBusPort())
        .setClusterPublicHost(cluster.host())
        .setClusterPingInterval(EVENT_BUS_PING_MILLIS)
        .setClusterPingReplyInterval(EVENT_BUS_PING_MILLIS)
        .setConnectTimeout(EVENT_BUS_CONNECT_TIMEOUT_MILLIS);
    return Vertx.builder()
        .with(options.setEventBusOptions(eventBus))
        .withClusterManager(new HazelcastClusterManager(hazelcast(cluster)))
        .buildClustered();
  }

  /** Members of the cluster this node sees, itself included (1 when not clustered). */
  public static int members(Vertx vertx) {
    io.vertx.core.spi.cluster.ClusterManager manager = ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    return manager == null ? 1 : manager.getNodes().size();
  }

  static Config hazelcast(ClusterConfig cluster) {
    Config config = new Config();
    config.setClusterName("signalmesh");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // the node leaves the cluster itself, after draining its clients
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config.setProperty("hazelcast.socket.bind.any", "false");
    // members are listed or looked up, so there is nothing to wait for before joining
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
    config.setProperty("hazelcast.local.localAddress", cluster.host());

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.setPublicAddress(cluster.host() + ":" + cluster.port());
    network.getInterfaces().setEnabled(false);

    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.dnsName() != null) {
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", cluster.dnsName())
          .setProperty("service-port", Integer.toString(cluster.port()));
    } else {
      List<String> members = new ArrayList<>(cluster.members());
      if (members.isEmpty()) {
        members.add(cluster.host() + ":" + cluster.port());
      }
      join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(2);
    }

    // what vertx-hazelcast's default-cluster.xml sets for its own structures
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }
}
