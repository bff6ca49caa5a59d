package io.signalmesh.testsupport.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Network namespaces a test builds for itself, as root, with iproute2: one namespace per host,
 * each on two bridges in the root namespace.
 *
 * <ul>
 *   <li>the front network, 198.51.100.0/25: where clients and the load balancer (in the root
 *       namespace, 198.51.100.1) reach the nodes' signaling and management ports;
 *   <li>the back network, 198.51.100.128/25: the nodes' cluster traffic (Hazelcast, event bus)
 *       and Redis; the root namespace is 198.51.100.129 there, for test relays and inspection.
 * </ul>
 *
 * Both halves of TEST-NET-2 (RFC 5737, documentation only): the namespaces have no default
 * route, so nothing leaves them for anywhere else. Every name starts with {@value #PREFIX}, so
 * what a crashed earlier run left behind (namespaces, processes in them, links) is removed
 * before building and again on {@link #close}. Every command has a deadline.
 */
public final class TestNetwork implements AutoCloseable {

  static final String PREFIX = "smnet";
  private static final String FRONT_BRIDGE = PREFIX + "-front";
  private static final String BACK_BRIDGE = PREFIX + "-back";
  private static final String ROOT_FRONT = "198.51.100.1";
  private static final String ROOT_BACK = "198.51.100.129";
  private static final String MASK = "/25";

  /**
   * One namespace. {@code frontVeth} and {@code backVeth} are the root-side ends of its links
   * (null where it has no link on that network).
   */
  public record Host(String name, String namespace, String frontAddress, String backAddress, String frontVeth,
      String backVeth) {}

  private final List<Host> nodes = new ArrayList<>();
  private Host redis;
  private final Thread cleanup = new Thread(TestNetwork::removeLeftovers, "test-network-cleanup");
  private boolean closed;

  private TestNetwork() {}

  /** Builds the bridges, {@code nodeCount} node hosts (both networks) and a Redis host (back network only). */
  public static TestNetwork create(int nodeCount) {
    if (!"0".equals(Commands.attempt(List.of("id", "-u"), null, Commands.DEFAULT_TIMEOUT).output().strip())) {
      throw new IllegalStateException("the network-fault tests build namespaces, links and nft rules: run them as root");
    }
    removeLeftovers();
    TestNetwork network = new TestNetwork();
    Runtime.getRuntime().addShutdownHook(network.cleanup);
    try {
      bridge(FRONT_BRIDGE, ROOT_FRONT);
      bridge(BACK_BRIDGE, ROOT_BACK);
      for (int i = 1; i <= nodeCount; i++) {
        network.nodes.add(network.host("n" + i, "198.51.100." + (10 + i), "198.51.100." + (140 + i),
            PREFIX + "-f" + i, PREFIX + "-b" + i));
      }
      network.redis = network.host("redis", null, "198.51.100.150", null, PREFIX + "-br");
      return network;
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
  }

  public Host node(int index) {
    return nodes.get(index);
  }

  public Host redisHost() {
    return redis;
  }

  /** The root namespace's address on the front network (the load balancer's side). */
  public String rootFrontAddress() {
    return ROOT_FRONT;
  }

  /** The root namespace's address on the back network (test relays listen there). */
  public String rootBackAddress() {
    return ROOT_BACK;
  }

  /** Cuts the host off the back network: its link goes down on the bridge side. */
  public void cutBackLink(Host host) {
    ip("link", "set", host.backVeth(), "down");
  }

  /** Puts the host's back link up again. */
  public void restoreBackLink(Host host) {
    ip("link", "set", host.backVeth(), "up");
  }

  /**
   * Limits the host's back link to {@code rate} (tc's syntax, e.g. {@code 2mbit}) both ways with
   * a token bucket ({@code tbf}, which this kernel has; it has no {@code netem}): bursts queue
   * up to 200 ms, beyond that packets drop.
   */
  public void limitBackRate(Host host, String rate) {
    List<String> tbf = List.of("tbf", "rate", rate, "burst", "32kbit", "latency", "200ms");
    List<String> inside = new ArrayList<>(List.of("tc", "qdisc", "add", "dev", "back", "root"));
    inside.addAll(tbf);
    exec(host, inside.toArray(String[]::new));
    List<String> bridgeSide = new ArrayList<>(List.of("tc", "qdisc", "add", "dev", host.backVeth(), "root"));
    bridgeSide.addAll(tbf);
    Commands.run(bridgeSide);
  }

  /** Loads an nft script into the host's namespace ({@code nft -f -}). */
  public void nft(Host host, String script) {
    Commands.run(inNamespace(host, List.of("nft", "-f", "-")), script, Commands.DEFAULT_TIMEOUT);
  }

  /** Removes every nft table of the host's namespace. */
  public void flushNft(Host host) {
    Commands.run(inNamespace(host, List.of("nft", "flush", "ruleset")));
  }

  /** Runs a command in the host's namespace and returns its output. */
  public String exec(Host host, String... command) {
    return Commands.run(inNamespace(host, List.of(command)));
  }

  /** The command line that runs {@code command} inside the host's namespace. */
  public List<String> inNamespace(Host host, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
    full.addAll(command);
    return full;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    removeLeftovers();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  private Host host(String name, String front, String back, String frontVeth, String backVeth) {
    String namespace = PREFIX + "-" + name;
    ip("netns", "add", namespace);
    ip("-n", namespace, "link", "set", "lo", "up");
    if (front != null) {
      link(namespace, frontVeth, "front", FRONT_BRIDGE, front);
    }
    link(namespace, backVeth, "back", BACK_BRIDGE, back);
    return new Host(name, namespace, front, back, frontVeth, backVeth);
  }

  private static void bridge(String name, String address) {
    ip("link", "add", name, "type", "bridge");
    ip("addr", "add", address + MASK, "dev", name);
    ip("link", "set", name, "up");
  }

  /** A veth pair: {@code rootEnd} on the bridge, {@code inside} in the namespace with the address. */
  private static void link(String namespace, String rootEnd, String inside, String bridge, String address) {
    ip("link", "add", rootEnd, "type", "veth", "peer", "name", inside, "netns", namespace);
    ip("link", "set", rootEnd, "master", bridge);
    ip("link", "set", rootEnd, "up");
    ip("-n", namespace, "addr", "add", address + MASK, "dev", inside);
    ip("-n", namespace, "link", "set", inside, "up");
  }

  /**
   * Removes everything named with the prefix: processes still running in those namespaces
   * (nodes and Redis of a run that crashed; SIGKILL by pid), the namespaces, then the links.
   */
  static void removeLeftovers() {
    Duration timeout = Commands.DEFAULT_TIMEOUT;
    for (String line : Commands.attempt(List.of("ip", "netns", "list"), null, timeout).output().split("\n")) {
      String namespace = line.strip().split("\\s+")[0];
      if (!namespace.startsWith(PREFIX + "-")) {
        continue;
      }
      String pids = Commands.attempt(List.of("ip", "netns", "pids", namespace), null, timeout).output();
      for (String pid : pids.split("\\s+")) {
        if (pid.matches("\\d+")) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(TestNetwork::kill);
        }
      }
      Commands.attempt(List.of("ip", "netns", "del", namespace), null, timeout);
    }
    for (String line : Commands.attempt(List.of("ip", "-o", "link", "show"), null, timeout).output().split("\n")) {
      String[] fields = line.split(":\\s+");
      if (fields.length > 1) {
        String name = fields[1].split("@")[0];
        if (name.startsWith(PREFIX + "-")) {
          Commands.attempt(List.of("ip", "link", "del", name), null, timeout);
        }
      }
    }
  }

  private static void kill(ProcessHandle process) {
    process.destroyForcibly();
    try {
      process.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // gone or stuck: the namespace is deleted either way and vanishes once it exits
    }
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Commands.run(command);
  }
}
