package io.signalmesh.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether this node may serve: deliver what other nodes send it and handle its clients'
 * messages. It may while a recent heartbeat vouches that the mesh has not declared it dead.
 * After a pause longer than that (SIGSTOP, a long GC, a stalled VM) it is not sure until its
 * next heartbeat answers: work waits (see {@link #whenServing}); if the answer is that it was
 * declared dead, it is fenced and serves nothing until it has rejoined as a new run.
 *
 * <p>A heartbeat that fails because Redis is down still vouches: nobody can declare the node
 * dead without Redis, and relays between clients already in rooms must go on through an
 * outage (docs/cluster.md).
 */
public final class NodeLease {

  /** A heartbeat vouches for the node this long after it was sent: well inside the liveness TTL. */
  static final Duration VOUCHES_FOR = NodeLiveness.TTL.minusSeconds(1);

  private volatile long vouchedAtNanos = System.nanoTime();
  private volatile boolean fenced;
  private final List<Runnable> waiting = new ArrayList<>();

  /** True while the node is certain it holds its place in the mesh. */
  public boolean serving() {
    return !fenced && System.nanoTime() - vouchedAtNanos < VOUCHES_FOR.toNanos();
  }

  public boolean fenced() {
    return fenced;
  }

  /**
   * Runs the action now if the node is serving, else once it is again (after a rejoin, if it is
   * fenced meanwhile: whoever waits decides then what is still worth doing).
   */
  public void whenServing(Runnable action) {
    synchronized (waiting) {
      if (!serving()) {
        waiting.add(action);
        return;
      }
    }
    action.run();
  }

  /** A heartbeat sent at {@code sentNanos} came back without the node being declared dead. */
  void vouched(long sentNanos) {
    if (sentNanos - vouchedAtNanos > 0) {
      vouchedAtNanos = sentNanos;
    }
    runWaiting();
  }

  /** The node was declared dead: nothing more is served until it rejoined; what waits is dropped by its owners. */
  void fence() {
    fenced = true;
  }

  /** The node rejoined the mesh as a new run. */
  void rejoined() {
    vouchedAtNanos = System.nanoTime();
    fenced = false;
    runWaiting();
  }

  private void runWaiting() {
    List<Runnable> ready;
    synchronized (waiting) {
      if (!serving()) {
        return;
      }
      ready = List.copyOf(waiting);
      waiting.clear();
    }
    ready.forEach(Runnable::run);
  }
}
