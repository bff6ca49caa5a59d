package io.signalmesh.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Redis Sentinel deployment on free loopback ports: a master, one replica
 * ({@code replicaof}) and three sentinels ({@code redis-server <conf> --sentinel}, quorum 2)
 * that announce 127.0.0.1. Sentinels consider the master down after {@link #DOWN_AFTER} and
 * may retry a failed election after twice {@link #FAILOVER_TIMEOUT}. Nothing is persisted: a
 * killed master restarts empty.
 *
 * <pre>
 * try (RedisSentinelGroup redis = RedisSentinelGroup.start()) {
 *   RedisOptions options = RedisUrl.parse(redis.url());
 *   redis.master().kill();
 *   RedisProcess promoted = redis.awaitFailover(Duration.ofSeconds(30));
 * }
 * </pre>
 */
public final class RedisSentinelGroup implements AutoCloseable {

  public static final String MASTER_NAME = "mymaster";
  /**
   * Twice the sentinels' one-second ping period: a sentinel that has just switched masters sends
   * its first PING to the new one a second later, and with a shorter down-after could judge it
   * down before the PONG (a second failover). It also makes a failover's window reach the nodes'
   * liveness TTL at times, which must fence no node.
   */
  public static final Duration DOWN_AFTER = Duration.ofMillis(2000);
  public static final Duration FAILOVER_TIMEOUT = Duration.ofMillis(3000);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> NO_PERSISTENCE = List.of("save \"\"", "appendonly no");

  private final List<RedisProcess> servers = new ArrayList<>();
  private final List<RedisProcess> sentinels = new ArrayList<>();

  private RedisSentinelGroup() {}

  /** Starts master, replica and sentinels, and waits until the sentinels know each other and the replica is in sync. */
  public static RedisSentinelGroup start() {
    RedisSentinelGroup group = new RedisSentinelGroup();
    try {
      RedisProcess master = new RedisProcess("sentinel-master", announced(NO_PERSISTENCE), false).start();
      group.servers.add(master);
      List<String> replicaConfig = new ArrayList<>(NO_PERSISTENCE);
      replicaConfig.add("replicaof 127.0.0.1 " + master.port());
      group.servers.add(new RedisProcess("sentinel-replica", announced(replicaConfig), false).start());
      for (int i = 1; i <= 3; i++) {
        group.sentinels.add(new RedisProcess("sentinel-" + i, List.of(
            "sentinel announce-ip 127.0.0.1",
            "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
            "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER.toMillis(),
            "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT.toMillis(),
            "sentinel parallel-syncs " + MASTER_NAME + " 1"), true).start());
      }
      Wait.until("the replica to sync and the sentinels to see it and each other", READY_TIMEOUT, group::settled);
      return group;
    } catch (RuntimeException e) {
      group.close();
      throw e;
    }
  }

  private static List<String> announced(List<String> config) {
    List<String> lines = new ArrayList<>(config);
    lines.add("replica-announce-ip 127.0.0.1");
    return lines;
  }

  /** The {@code --redis} URL naming the three sentinels. */
  public String url() {
    return "redis-sentinel://" + sentinels.stream().map(RedisProcess::address).collect(Collectors.joining(","))
        + "/" + MASTER_NAME;
  }

  /** The server the sentinels name as master now. */
  public RedisProcess master() {
    return server(masterAddress(sentinels.get(0)));
  }

  /** A server that is not the current master (the replica, or the old master). */
  public RedisProcess other(RedisProcess server) {
    return servers.stream().filter(s -> s != server).findFirst().orElseThrow();
  }

  public List<RedisProcess> sentinels() {
    return List.copyOf(sentinels);
  }

  /**
   * Waits until every sentinel names a master other than {@code old} and that server has taken
   * the master role; returns it.
   */
  public RedisProcess awaitFailover(RedisProcess old, Duration timeout) {
    Wait.until("the sentinels to promote a new master", timeout, () -> {
      String promoted = masterAddress(sentinels.get(0));
      if (promoted == null || promoted.equals(old.address())) {
        return false;
      }
      RedisProcess server = server(promoted);
      return sentinels.stream().allMatch(s -> promoted.equals(masterAddress(s)))
          && "master".equals(server.info("replication", "role"));
    });
    return master();
  }

  /**
   * Waits until every sentinel has had a PING to the current master answered on its link to it,
   * with the master neither down nor in a failover. A sentinel that has just switched masters
   * sends its first PING a second after making the link (the ping period) and checks the link in
   * the same timer tick, before the PONG is back: with a 1 s down-after the new master can look
   * down for a moment, and if two sentinels see that, a second failover promotes any replica
   * there is. A killed master restarted in that window (empty) was promoted so, in one CI run.
   */
  public void awaitSettled(Duration timeout) {
    Wait.until("the sentinels to settle on the master", timeout, () -> {
      String master = masterAddress(sentinels.get(0));
      return master != null && sentinels.stream().allMatch(sentinel -> {
        List<?> state = (List<?>) sentinel.call("SENTINEL", "MASTER", MASTER_NAME);
        return master.equals(field(state, "ip") + ":" + field(state, "port"))
            && "master".equals(field(state, "flags")) && "0".equals(field(state, "last-ping-sent"));
      });
    });
  }

  /** Waits until {@code replica} replicates the current master with its link up. */
  public void awaitReplicating(RedisProcess replica, Duration timeout) {
    String master = master().address();
    try {
      Wait.until(replica.name() + " to replicate " + master, timeout, () -> {
        try {
          return "slave".equals(replica.info("replication", "role"))
              && master.equals(replica.info("replication", "master_host") + ":" + replica.info("replication", "master_port"))
              && "up".equals(replica.info("replication", "master_link_status"));
        } catch (RuntimeException notAnswering) {
          return false;
        }
      });
    } catch (AssertionError timedOut) {
      throw new AssertionError(timedOut.getMessage() + "\n" + logTails(), timedOut);
    }
  }

  /** What each server and sentinel wrote last (a sentinel in TILT mode, a sync that failed). */
  private String logTails() {
    return Stream.concat(servers.stream(), sentinels.stream())
        .map(process -> "--- " + process.name() + " (" + process.address() + ")\n" + process.logTail() + "\n")
        .collect(Collectors.joining());
  }

  @Override
  public void close() {
    sentinels.forEach(RedisProcess::close);
    servers.forEach(RedisProcess::close);
  }

  private boolean settled() {
    RedisProcess master = servers.get(0);
    if (!"1".equals(master.info("replication", "connected_slaves"))
        || !"up".equals(servers.get(1).info("replication", "master_link_status"))) {
      return false;
    }
    for (RedisProcess sentinel : sentinels) {
      List<?> state = (List<?>) sentinel.call("SENTINEL", "MASTER", MASTER_NAME);
      if (!"2".equals(field(state, "num-other-sentinels")) || !"1".equals(field(state, "num-slaves"))) {
        return false;
      }
    }
    return true;
  }

  private static String field(List<?> flat, String name) {
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      if (name.equals(flat.get(i))) {
        return String.valueOf(flat.get(i + 1));
      }
    }
    return null;
  }

  private static String masterAddress(RedisProcess sentinel) {
    try {
      Object reply = sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
      if (reply instanceof List<?> hostPort && hostPort.size() == 2) {
        return hostPort.get(0) + ":" + hostPort.get(1);
      }
      return null;
    } catch (RuntimeException notAnswering) {
      return null;
    }
  }

  private RedisProcess server(String address) {
    return servers.stream().filter(s -> s.address().equals(address)).findFirst()
        .orElseThrow(() -> new IllegalStateException("the sentinels name an unknown master " + address));
  }
}
