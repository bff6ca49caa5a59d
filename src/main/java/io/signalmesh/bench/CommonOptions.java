package io.signalmesh.bench;

import io.signalmesh.cli.DurationConverter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every {@code bench} scenario takes (a picocli mixin). */
public final class CommonOptions {

  @Option(names = "--url", paramLabel = "<ws-url>", defaultValue = "ws://127.0.0.1:8080/ws",
      description = "Signaling endpoint; repeat to spread clients over several nodes, round robin (default: ${DEFAULT-VALUE})")
  List<String> urls = new ArrayList<>();

  @Option(names = "--allow-remote", description = "Accept targets that are not loopback addresses")
  boolean allowRemote;

  @Option(names = "--server-pid", paramLabel = "<pid>",
      description = "A server process to measure through /proc (CPU, RSS); repeat for a cluster's nodes")
  List<Long> serverPids = new ArrayList<>();

  @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "<duration>",
      description = "Bound of each connect, join and reply wait, and of each closing phase (default: ${DEFAULT-VALUE})")
  Duration timeout;

  @Option(names = "--connect-rate", defaultValue = "1000", paramLabel = "<per-second>",
      description = "New connections per second while clients are set up (default: ${DEFAULT-VALUE})")
  double connectRate;

  @Option(names = "--max-in-flight", defaultValue = "500", paramLabel = "<n>",
      description = "Connects (or call set-ups) pending at once, at most (default: ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(names = "--event-loops", defaultValue = "2", paramLabel = "<n>",
      description = "Event loops of the load generator (default: ${DEFAULT-VALUE})")
  int eventLoops;

  @Option(names = "--deflate",
      description = "Offer permessage-deflate (with client_max_window_bits) as Chromium does")
  boolean deflate;

  Harness.Settings settings(PrintStream progress) {
    if (!(connectRate > 0) || maxInFlight < 1 || eventLoops < 1) {
      throw new IllegalArgumentException("--connect-rate, --max-in-flight and --event-loops must be positive");
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("--timeout must be positive");
    }
    return new Harness.Settings(Targets.of(urls, allowRemote), eventLoops, deflate, timeout, connectRate, maxInFlight,
        new ProcessProbe(serverPids), progress);
  }
}
