package io.signalmesh.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of another JVM, measured with {@code jcmd <pid> GC.class_histogram}: it runs a
 * full collection and then counts what survived, in one safepoint, so nothing the probe itself
 * allocates (attaching allocates in the target) and no garbage is counted. A second full
 * collection first drops what only finalizers or soft references still held.
 */
final class HeapProbe {

  /**
   * What was live after a full collection: bytes in total, the largest classes, and the
   * instances of each signalmesh class (a leak of sessions shows there whatever the load).
   */
  record Live(long bytes, List<String> largest, Map<String, Long> signalmeshInstances) {
    long megabytes() {
      return bytes / (1024 * 1024);
    }

    @Override
    public String toString() {
      return String.format("%.1f MiB live", bytes / (1024.0 * 1024.0));
    }
  }

  private static final Pattern TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$");
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

  private final long pid;

  HeapProbe(long pid) {
    this.pid = pid;
  }

  Live measure() {
    jcmd("GC.run");
    String histogram = jcmd("GC.class_histogram");
    long total = -1;
    List<String> largest = new ArrayList<>();
    Map<String, Long> instances = new TreeMap<>();
    for (String line : histogram.split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.matches() && largest.size() < 12) {
        largest.add(String.format("%8d KiB %7s  %s", Long.parseLong(row.group(2)) / 1024, row.group(1), row.group(3)));
      }
      if (row.matches() && row.group(3).startsWith("io.signalmesh.")) {
        instances.merge(row.group(3), Long.parseLong(row.group(1)), Long::sum);
      }
      Matcher sum = TOTAL.matcher(line.trim());
      if (sum.matches()) {
        total = Long.parseLong(sum.group(1));
      }
    }
    if (total < 0) {
      throw new IllegalStateException("no total in the class histogram of " + pid + ":\n" + histogram);
    }
    return new Live(total, largest, instances);
  }

  /** Live instances of each of the classes (by their names in the histogram) after a full collection. */
  Map<String, Long> instancesOf(List<String> classNames) {
    jcmd("GC.run");
    Map<String, Long> instances = new TreeMap<>();
    classNames.forEach(name -> instances.put(name, 0L));
    for (String line : jcmd("GC.class_histogram").split("\n")) {
      Matcher row = ROW.matcher(line);
      if (row.matches() && instances.containsKey(row.group(3))) {
        instances.merge(row.group(3), Long.parseLong(row.group(1)), Long::sum);
      }
    }
    return instances;
  }

  private String jcmd(String command) {
    Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    try {
      Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
