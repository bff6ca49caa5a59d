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

  /**
   * SIGSTOP: the process stops dead, as in a long GC pause; its sockets stay open. Returns once
   * every thread is stopped (the signal takes effect as each is next scheduled).
   */
  static void stop(long pid) {
    run("kill", "-STOP", Long.toString(pid));
    awaitThreads(pid, true);
  }

  /** SIGCONT: it carries on where it stopped. */
  static void resume(long pid) {
    run("kill", "-CONT", Long.toString(pid));
    awaitThreads(pid, false);
  }

  private static void awaitThreads(long pid, boolean stopped) {
    io.signalmesh.testsupport.Wait.until("every thread of " + pid + (stopped ? " stopped" : " running"),
        java.time.Duration.ofSeconds(5), () -> allThreads(pid, stopped));
  }

  /** Whether every thread's state in /proc is (or is no longer) T, stopped. */
  private static boolean allThreads(long pid, boolean stopped) {
    java.nio.file.Path tasks = java.nio.file.Path.of("/proc", Long.toString(pid), "task");
    try (var threads = java.nio.file.Files.list(tasks)) {
      for (java.nio.file.Path thread : (Iterable<java.nio.file.Path>) threads::iterator) {
        String stat;
        try {
          stat = java.nio.file.Files.readString(thread.resolve("stat"));
        } catch (IOException gone) {
          continue;
        }
        // the state follows the command name in parentheses, which may itself hold spaces
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        if ((state == 'T') != stopped) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return !stopped;
    }
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
