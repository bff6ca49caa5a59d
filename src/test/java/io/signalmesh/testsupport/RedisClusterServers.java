package io.signalmesh.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster of masters without replicas ({@code redis-server --cluster-enabled yes},
 * joined by {@code redis-cli --cluster create}), on free loopback ports, for presence tests that
 * must see keys spread over several nodes. Ready once every master reports
 * {@code cluster_state:ok} with all 16384 slots assigned.
 *
 * <pre>
 * try (RedisClusterServers cluster = RedisClusterServers.start(3)) {
 *   RedisOptions options = RedisUrl.parse(cluster.url());
 * }
 * </pre>
 */
public final class RedisClusterServers implements RedisDeployment {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final int SLOTS = 16384;

  private final List<RedisProcess> masters = new ArrayList<>();

  private RedisClusterServers() {}

  /** Starts {@code count} (at least 3) masters and joins them into one cluster. */
  public static RedisClusterServers start(int count) {
    RedisClusterServers cluster = new RedisClusterServers();
    try {
      for (int i = 1; i <= count; i++) {
        // the bus port is set explicitly: the default (port + 10000) could land in the ephemeral range
        cluster.masters.add(new RedisProcess("cluster-" + i, List.of(
            "cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 2000",
            "cluster-port " + FreePorts.next(), "save \"\"", "appendonly no"), false).start());
      }
      cluster.create();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The {@code --redis} URL naming every master as a seed. */
  @Override
  public String url() {
    return "redis-cluster://" + masters.stream().map(RedisProcess::address).collect(Collectors.joining(","));
  }

  public List<RedisProcess> masters() {
    return List.copyOf(masters);
  }

  /** The hash slot Redis computes for {@code key} (CLUSTER KEYSLOT). */
  public int keySlot(String key) {
    return Integer.parseInt(masters.get(0).command("CLUSTER", "KEYSLOT", key));
  }

  /** The master that serves {@code slot}, from CLUSTER NODES of the first master. */
  public RedisProcess ownerOfSlot(int slot) {
    for (String line : masters.get(0).command("CLUSTER", "NODES").split("\n")) {
      String[] fields = line.trim().split(" ");
      if (fields.length < 9 || !fields[2].contains("master")) {
        continue;
      }
      String address = fields[1].substring(0, fields[1].indexOf('@'));
      for (int i = 8; i < fields.length; i++) {
        if (fields[i].startsWith("[")) {
          continue; // a slot being migrated
        }
        String[] range = fields[i].split("-");
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        if (slot >= from && slot <= to) {
          return masters.stream().filter(m -> m.address().equals(address)).findFirst()
              .orElseThrow(() -> new IllegalStateException("slot " + slot + " is served by unknown " + address));
        }
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** The master that holds {@code key}. */
  public RedisProcess ownerOf(String key) {
    return ownerOfSlot(keySlot(key));
  }

  /** Runs a single-key command on the master that holds {@code key} (the key must be {@code args[1]}). */
  public Object call(String... args) {
    return ownerOf(args[1]).call(args);
  }

  /** {@link #call} as text. */
  @Override
  public String command(String... args) {
    Object reply = call(args);
    return reply == null ? null : reply.toString();
  }

  /**
   * Moves a slot and its keys to {@code target} the way {@code redis-cli --cluster reshard}
   * does. {@code whileMigrating} runs after the keys moved but before the slot is reassigned:
   * then the old master answers ASK for them; afterwards it answers MOVED.
   */
  public void moveSlot(int slot, RedisProcess target, Runnable whileMigrating) {
    RedisProcess source = ownerOfSlot(slot);
    String sourceId = source.command("CLUSTER", "MYID");
    String targetId = target.command("CLUSTER", "MYID");
    expectOk(target.command("CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", sourceId));
    expectOk(source.command("CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", targetId));
    @SuppressWarnings("unchecked")
    List<Object> keys = (List<Object>) source.call("CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "1000");
    if (!keys.isEmpty()) {
      List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(target.port()), "", "0",
          "5000", "KEYS"));
      keys.forEach(key -> migrate.add(key.toString()));
      expectOk(source.command(migrate.toArray(String[]::new)));
    }
    whileMigrating.run();
    expectOk(target.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId));
    for (RedisProcess master : masters) {
      if (master != target) {
        expectOk(master.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId));
      }
    }
  }

  private static void expectOk(String reply) {
    if (!"OK".equals(reply)) {
      throw new IllegalStateException("Redis answered " + reply);
    }
  }

  /** Deletes every key on every master (not the script caches). */
  @Override
  public void flushAll() {
    masters.forEach(master -> master.command("FLUSHALL"));
  }

  @Override
  public void close() {
    masters.forEach(RedisProcess::close);
  }

  private void create() {
    List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    masters.forEach(master -> command.add(master.address()));
    command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    try {
      Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!cli.waitFor(30, TimeUnit.SECONDS) || cli.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run redis-cli", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Wait.until("every cluster master to report cluster_state:ok with all slots", READY_TIMEOUT,
        () -> masters.stream().allMatch(this::seesWholeCluster));
  }

  private boolean seesWholeCluster(RedisProcess master) {
    String info = master.command("CLUSTER", "INFO");
    return info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:" + SLOTS)
        && info.contains("cluster_known_nodes:" + masters.size());
  }
}
