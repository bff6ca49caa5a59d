package io.signalmesh.gateway;

import java.util.concurrent.ConcurrentHashMap;

/**
 * WebSocket connections held per client address, shared by every event loop of the port. A slot
 * is taken at the handshake and given back when the connection ends.
 */
public final class ConnectionCounter {

  private final int maxPerAddress;
  private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

  public ConnectionCounter(int maxPerAddress) {
    this.maxPerAddress = maxPerAddress;
  }

  /** Takes a slot for the address; false (nothing taken) if it holds the maximum already. */
  boolean tryAcquire(String address) {
    boolean[] taken = new boolean[1];
    counts.compute(address, (key, count) -> {
      int held = count == null ? 0 : count;
      if (held >= maxPerAddress) {
        return count;
      }
      taken[0] = true;
      return held + 1;
    });
    return taken[0];
  }

  void release(String address) {
    counts.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }

  /** Connections the address holds now. */
  public int held(String address) {
    return counts.getOrDefault(address, 0);
  }
}
