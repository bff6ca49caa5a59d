package io.signalmesh.routing;

import io.signalmesh.session.ClientId;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions that resumed on another node, remembered for a while: frames that still reach this
 * node for them (other nodes' views not yet updated) are sent on instead of dropped.
 */
public final class SessionForwards {

  private record Forward(String nodeId, long expiresAtNanos) {}

  private final ConcurrentHashMap<ClientId, Forward> forwards = new ConcurrentHashMap<>();
  private final long ttlNanos;

  public SessionForwards(Duration ttl) {
    this.ttlNanos = ttl.toNanos();
  }

  public void moved(ClientId client, String nodeId) {
    forwards.put(client, new Forward(nodeId, System.nanoTime() + ttlNanos));
  }

  /** The node the client moved to, or null. */
  public String nodeOf(ClientId client) {
    Forward forward = forwards.get(client);
    if (forward == null) {
      return null;
    }
    if (System.nanoTime() - forward.expiresAtNanos() > 0) {
      forwards.remove(client, forward);
      return null;
    }
    return forward.nodeId();
  }

  /** Forgets the client (it came back to this node). */
  public void clear(ClientId client) {
    forwards.remove(client);
  }

  public void sweep() {
    long now = System.nanoTime();
    forwards.values().removeIf(f -> now - f.expiresAtNanos() > 0);
  }
}
