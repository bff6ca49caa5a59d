package io.signalmesh.signaling;

import io.signalmesh.session.ClientId;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions this node handed over to another node lately, with the frames it handed over. The
 * node a client resumed on asks with a timeout; if this node answers after it (it was paused or
 * slow), the answer is dropped there and that node asks again: it must get the same frames, not
 * "no such session", or what this node had queued for the client would be lost without anyone
 * being told.
 */
final class RecentHandovers {

  private record Handed(String newNode, List<String> frames, long expiresAtNanos) {}

  private final ConcurrentHashMap<ClientId, Handed> handed = new ConcurrentHashMap<>();
  private final long keepNanos;

  /** @param keepMillis how long the asking node may go on asking (its settle limit, and some margin) */
  RecentHandovers(long keepMillis) {
    this.keepNanos = keepMillis * 1_000_000;
  }

  void handed(ClientId client, String newNode, List<String> frames) {
    long now = System.nanoTime();
    handed.values().removeIf(h -> now - h.expiresAtNanos() > 0);
    handed.put(client, new Handed(newNode, List.copyOf(frames), now + keepNanos));
  }

  /** The frames handed over to {@code newNode} for the client lately, for its repeated request; null if none. */
  List<String> again(ClientId client, String newNode) {
    Handed h = handed.get(client);
    if (h == null || !h.newNode().equals(newNode) || System.nanoTime() - h.expiresAtNanos() > 0) {
      return null;
    }
    return h.frames();
  }

  /** Forgets the client (it came back to this node). */
  void forget(ClientId client) {
    handed.remove(client);
  }
}
