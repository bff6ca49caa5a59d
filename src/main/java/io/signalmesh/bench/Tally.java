package io.signalmesh.bench;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts by name (error codes, failure reasons, close codes), safe from every event loop. */
public final class Tally {

  private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

  public void add(String name) {
    counts.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  public long get(String name) {
    LongAdder count = counts.get(name);
    return count == null ? 0 : count.sum();
  }

  public long total() {
    return counts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Sorted by name, so that two runs print in the same order. */
  public JsonObject toJson() {
    Map<String, Object> sorted = new TreeMap<>();
    counts.forEach((name, count) -> sorted.put(name, count.sum()));
    return new JsonObject(sorted);
  }
}
