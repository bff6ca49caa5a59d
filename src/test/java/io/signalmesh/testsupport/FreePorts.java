package io.signalmesh.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that tests start as separate processes. A port from {@code new
 * ServerSocket(0)} lies in the kernel's ephemeral range, so between closing the probe and the
 * process binding it, any outgoing connection on the machine may take it as its source port
 * (seen: "Address already in use" at node start). These come from below that range, where
 * outgoing connections never land, picked at random and checked free, and never handed out
 * twice in one test run: a port picked for a node that has not bound it yet is still free to a
 * probe. Two equal picks among the few dozen of one cluster's start are rare, but not over a whole
 * suite: the likely cause of a node's "Address already in use" at start in ChaosUnderLoadIT.
 */
public final class FreePorts {

  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  public static int next() {
    int ceiling = ephemeralRangeStart() - 1;
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, ceiling + 1);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port between " + LOWEST + " and " + ceiling);
  }

  private static int ephemeralRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      return start > LOWEST + 1000 ? start : 32768;
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }
}
