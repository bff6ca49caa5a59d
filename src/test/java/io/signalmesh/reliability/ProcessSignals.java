package io.signalmesh.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Signals and JVM diagnostics for a node process the test started itself (by its pid, never by name). */
final class ProcessSignals {

  private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$", Pattern.MULTILINE);

  private ProcessSignals() {}

  /** SIGSTOP: the process stops dead, as in a long GC pause; its sockets stay open. */
  static void stop(long pid) {
    run("kill", "-STOP", Long.toString(pid));
  }

  /** SIGCONT: it carries on where it stopped. */
  static void resume(long pid) {
    run("kill", "-CONT", Long.toString(pid));
  }

  /**
   * Bytes of live objects: {@code jcmd GC.class_histogram} runs a full collection first and
   * counts only what survives it, so this is the heap a leak would grow, not garbage.
   */
  static long liveHeapBytes(long pid) {
    String histogram = run("jcmd", Long.toString(pid), "GC.class_histogram");
    Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
    if (!total.find()) {
      throw new IllegalStateException("no total in the class histogram of " + pid + ": "
          + histogram.substring(0, Math.min(300, histogram.length())));
    }
    return Long.parseLong(total.group(1));
  }

  /** Resident memory from /proc (kB). */
  static long rssKb(long pid) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return -1;
  }

  private static String run(String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    try {
      Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", args) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
