package io.signalmesh.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and resident memory of processes from {@code /proc} (Linux): {@code utime + stime}
 * of {@code /proc/<pid>/stat} and {@code VmRSS} of {@code /proc/<pid>/status}, summed over the
 * given PIDs (a cluster's nodes). The load generator reads its own figures the same way.
 */
public final class ProcessProbe {

  /** Everything about the probed processes at one moment. */
  public record Sample(long cpuNanos, long rssKb, long atNanos) {}

  private static final long TICKS_PER_SECOND = clockTicks();

  private final List<Long> pids;

  public ProcessProbe(List<Long> pids) {
    this.pids = List.copyOf(pids);
  }

  /** This JVM. */
  public static ProcessProbe self() {
    return new ProcessProbe(List.of(ProcessHandle.current().pid()));
  }

  public boolean isEmpty() {
    return pids.isEmpty();
  }

  public List<Long> pids() {
    return pids;
  }

  /** Fails when a PID is gone: a server that died during the run must not look cheap. */
  public Sample sample() {
    long ticks = 0;
    long rss = 0;
    for (long pid : pids) {
      ticks += cpuTicks(read(Path.of("/proc", Long.toString(pid), "stat")));
      rss += rssKb(read(Path.of("/proc", Long.toString(pid), "status")));
    }
    return new Sample(ticks * (1_000_000_000L / TICKS_PER_SECOND), rss, System.nanoTime());
  }

  /** {@code utime + stime} in clock ticks from the text of {@code /proc/<pid>/stat}. */
  static long cpuTicks(String stat) {
    // the command name (field 2) is in parentheses and may hold spaces: count from the last ')'
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** {@code VmRSS} in KiB from the text of {@code /proc/<pid>/status}. */
  static long rssKb(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    throw new IllegalStateException("no VmRSS in /proc status");
  }

  /** Before and after a window, with the messages of that window: the report's server section. */
  public JsonObject between(Sample before, Sample after, long messages) {
    return between(before, after, messages, "cpuUsPerMsg");
  }

  /** The same, with the per-item CPU figure named {@code perItemField} (cpuUsPerJoin, ...). */
  public JsonObject between(Sample before, Sample after, long messages, String perItemField) {
    long cpu = after.cpuNanos() - before.cpuNanos();
    double seconds = (after.atNanos() - before.atNanos()) / 1e9;
    JsonObject json = new JsonObject()
        .put("pids", new JsonArray(List.copyOf(pids)))
        .put("cpuMs", cpu / 1_000_000L)
        .put("cpuPercent", Report.round(100.0 * cpu / 1e9 / seconds, 1))
        .put("rssKbBefore", before.rssKb())
        .put("rssKbAfter", after.rssKb());
    if (messages > 0) {
      json.put(perItemField, Report.round(cpu / 1000.0 / messages, 2));
    }
    return json;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path + " (is the process still running?)", e);
    }
  }

  private static long clockTicks() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | NumberFormatException e) {
      // fall through to the Linux default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
