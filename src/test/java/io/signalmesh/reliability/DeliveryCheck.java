package io.signalmesh.reliability;

import io.signalmesh.reliability.CallPeer.Incoming;
import io.signalmesh.reliability.CallPeer.Link;
import io.signalmesh.reliability.CallPeer.Outgoing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Accounts for every message one peer relayed to another, as docs/reliability.md ("What nothing
 * lost means") defines it:
 *
 * <ul>
 *   <li>a message is delivered to its target at most once, and the ones delivered arrive in the
 *       order sent;
 *   <li>a message the server took on (settled: the sender got the pong of the ping after it)
 *       without refusing it is delivered;
 *   <li>a message not delivered is accounted for only if its sender learned so: an {@code error}
 *       for it, or its own connection dropped while the message was in flight (sent, not yet
 *       settled).
 * </ul>
 *
 * One exception, the crash instant: a node killed with SIGKILL can die between writing a frame
 * to its client and acknowledging it to the sending node (which then keeps it for the client's
 * resume: a second copy), or between answering a ping and handing the relay before it to the
 * event bus (settled, then lost with the node). Both are allowed only within {@link #CRASH_INSTANT}
 * of a kill that ended the connection concerned, and are counted apart.
 */
final class DeliveryCheck {

  /** How close to a kill a frame must have been handled to fall into the crash instant. */
  static final Duration CRASH_INSTANT = Duration.ofMillis(50);
  /** A connection that ended this soon after a kill was ended by it (the balancer notices at once). */
  private static final Duration KILL_ENDS_CONNECTION = Duration.ofSeconds(10);

  /** The totals over all pairs, and every violation found. */
  static final class Result {
    long sent;
    long delivered;
    long lostInFlight;
    long refused;
    long crashInstantLost;
    long crashInstantDuplicates;
    final List<String> violations = new ArrayList<>();

    @Override
    public String toString() {
      return "sent=" + sent + " delivered=" + delivered + " lostInFlightAtSenderDrop=" + lostInFlight
          + " refusedWithError=" + refused + " crashInstantLost=" + crashInstantLost
          + " crashInstantDuplicates=" + crashInstantDuplicates + " violations=" + violations.size();
    }
  }

  private final List<Long> killNanos;
  private final Result result = new Result();

  /** @param killNanos when the run killed a node (System.nanoTime, just before the SIGKILL) */
  DeliveryCheck(List<Long> killNanos) {
    this.killNanos = List.copyOf(killNanos);
  }

  Result result() {
    return result;
  }

  /** Checks everything {@code from} relayed to {@code to}. */
  void check(CallPeer from, CallPeer to) {
    String pair = from.name() + "->" + to.name();
    List<Outgoing> sent = from.sent();
    List<Incoming> received = to.received();
    Map<Long, Link> toLinks = byNumber(to.links());
    Map<Long, Link> fromLinks = byNumber(from.links());

    Map<Long, List<Incoming>> copies = new HashMap<>();
    List<Long> order = new ArrayList<>();
    for (Incoming in : received) {
      List<Incoming> seen = copies.computeIfAbsent(in.seq(), s -> new ArrayList<>());
      seen.add(in);
      if (seen.size() == 1) {
        order.add(in.seq());
      } else if (seen.size() == 2 && crashInstantDuplicate(seen.get(0), seen.get(1), toLinks)) {
        result.crashInstantDuplicates++;
      } else {
        result.violations.add(pair + ": seq " + in.seq() + " delivered " + seen.size() + " times");
      }
    }
    for (int i = 1; i < order.size(); i++) {
      if (order.get(i) <= order.get(i - 1)) {
        result.violations.add(pair + ": seq " + order.get(i) + " arrived after seq " + order.get(i - 1));
      }
    }
    for (Long seq : copies.keySet()) {
      if (seq < 1 || seq > sent.size()) {
        result.violations.add(pair + ": seq " + seq + " arrived but was never sent");
      }
    }

    for (Outgoing out : sent) {
      result.sent++;
      boolean delivered = copies.containsKey(out.seq);
      if (delivered) {
        result.delivered++;
        if (out.error != null) {
          result.violations.add(pair + ": seq " + out.seq + " was refused (" + out.error + ") but delivered");
        }
      } else if (out.error != null) {
        result.refused++;
      } else if (out.droppedNanos >= 0) {
        result.lostInFlight++;
      } else if (out.settledNanos >= 0 && settledInCrashInstant(out, fromLinks)) {
        result.crashInstantLost++;
      } else if (out.settledNanos >= 0) {
        result.violations.add(pair + ": seq " + out.seq + " settled but never delivered");
      } else {
        result.violations.add(pair + ": seq " + out.seq + " never settled (no pong, no error, no drop)");
      }
    }
  }

  /** The first copy came over a connection a kill ended, at most the crash instant before it; the second over a later one. */
  private boolean crashInstantDuplicate(Incoming first, Incoming second, Map<Long, Link> links) {
    if (second.connection() <= first.connection()) {
      return false;
    }
    Long kill = killThatEnded(links.get((long) first.connection()));
    return kill != null && first.atNanos() >= kill - CRASH_INSTANT.toNanos();
  }

  /** Settled at most the crash instant before a kill that ended the sender's connection. */
  private boolean settledInCrashInstant(Outgoing out, Map<Long, Link> links) {
    Long kill = killThatEnded(links.get((long) out.connection));
    return kill != null && out.settledNanos >= kill - CRASH_INSTANT.toNanos();
  }

  private Long killThatEnded(Link link) {
    if (link == null || link.endedNanos < 0) {
      return null;
    }
    Long latest = null;
    for (long kill : killNanos) {
      if (kill <= link.endedNanos && link.endedNanos - kill <= KILL_ENDS_CONNECTION.toNanos()) {
        latest = latest == null ? kill : Math.max(latest, kill);
      }
    }
    return latest;
  }

  private static Map<Long, Link> byNumber(List<Link> links) {
    Map<Long, Link> map = new HashMap<>();
    links.forEach(link -> map.put((long) link.number, link));
    return map;
  }
}
