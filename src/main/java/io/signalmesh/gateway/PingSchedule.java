package io.signalmesh.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * When each connection gets its WebSocket ping: the interval is cut into slots of one tick (a
 * twentieth of it, 10 ms to 1 s), a connection goes into the slot with the fewest connections,
 * and each tick pings one slot, so every connection is pinged once per interval and each tick
 * pings about as many as the others, however the connections came. Pinging all of a loop's
 * connections in one task, as the loop did before, wrote thousands of pings at once and held up
 * every message behind them: next to 10,000 idle connections a relay's p99 was 180-271 ms, and is
 * 4-6 ms with this schedule (docs/benchmarks.md, "Session 15"). Confined to one event loop.
 *
 * @param <C> the connection
 */
final class PingSchedule<C> {

  /** Ticks per interval, unless the tick would be shorter than 10 ms or longer than a second. */
  static final int TICKS_PER_INTERVAL = 20;

  private final List<Set<C>> slots = new ArrayList<>();
  private int next;

  PingSchedule(Duration interval) {
    int count = (int) Math.max(1, interval.toMillis() / tickMillis(interval));
    for (int i = 0; i < count; i++) {
      slots.add(new HashSet<>());
    }
  }

  /** How often {@link #tick} should run for this interval. */
  static long tickMillis(Duration interval) {
    return Math.max(10, Math.min(1_000, interval.toMillis() / TICKS_PER_INTERVAL));
  }

  /** Ticks in one interval: each connection is pinged at one of them. */
  int slotCount() {
    return slots.size();
  }

  void add(C connection) {
    Set<C> emptiest = slots.get(0);
    for (Set<C> slot : slots) {
      if (slot.size() < emptiest.size()) {
        emptiest = slot;
      }
    }
    emptiest.add(connection);
  }

  void remove(C connection) {
    for (Set<C> slot : slots) {
      if (slot.remove(connection)) {
        return;
      }
    }
  }

  int size() {
    return slots.stream().mapToInt(Set::size).sum();
  }

  /** Pings the connections of the next slot; returns how many. */
  int tick(Consumer<C> ping) {
    // a copy: a ping that ends in the connection's close removes it from its slot
    List<C> due = List.copyOf(slots.get(next));
    next = (next + 1) % slots.size();
    due.forEach(ping);
    return due.size();
  }
}
