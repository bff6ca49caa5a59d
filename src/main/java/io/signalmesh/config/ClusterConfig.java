package io.signalmesh.config;

import java.util.List;

/**
 * Clustering (Hazelcast cluster manager, clustered event bus). Off by default: one node with a
 * local event bus.
 *
 * @param enabled {@code --cluster}
 * @param host address the cluster and event bus use and advertise
 * @param port Hazelcast member port
 * @param members TCP-IP discovery: host:port of other members
 * @param dnsName Kubernetes headless Service name for DNS discovery, or null
 * @param eventBusPort event bus port (0 = any free port)
 */
public record ClusterConfig(boolean enabled, String host, int port, List<String> members, String dnsName, int eventBusPort) {

  public static final String DEFAULT_HOST = "127.0.0.1";

  public ClusterConfig {
    members = List.copyOf(members);
    Settings.notBlank("--cluster-host", host);
    Settings.port("--cluster-port", port, false);
    Settings.port("--eventbus-port", eventBusPort, true);
    for (String member : members) {
      int colon = member.lastIndexOf(':');
      if (colon <= 0 || colon == member.length() - 1) {
        throw new ConfigException("--cluster-members", "'" + member + "' is not host:port");
      }
      try {
        Settings.port("--cluster-members", Integer.parseInt(member.substring(colon + 1)), false);
      } catch (NumberFormatException e) {
        throw new ConfigException("--cluster-members", "'" + member + "' has no numeric port");
      }
    }
    Settings.notBlank("--cluster-dns", dnsName);
  }
}
