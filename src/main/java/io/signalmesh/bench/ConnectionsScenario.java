package io.signalmesh.bench;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * {@code bench connections}: N idle WebSockets opened at the connect rate and held: connect
 * rate, connect latency, failures by reason, how many survive the hold, and the server's RSS per
 * connection (RSS after the hold minus RSS before the first connect, over the connections held).
 */
public final class ConnectionsScenario {

  /** What a connections run does. */
  public record Settings(int connections, Duration hold) {
    public Settings {
      if (connections < 1) {
        throw new IllegalArgumentException("--connections must be at least 1");
      }
      if (hold.isNegative()) {
        throw new IllegalArgumentException("--hold must not be negative");
      }
    }
  }

  private final Harness harness;
  private final Settings settings;

  public ConnectionsScenario(Harness harness, Settings settings) {
    this.harness = harness;
    this.settings = settings;
  }

  public JsonObject run() {
    Harness.Settings common = harness.settings();
    ProcessProbe server = common.server();
    ProcessProbe.Sample before = server.isEmpty() ? null : server.sample();
    Histogram latency = Report.newHistogram();
    long start = System.nanoTime();
    List<BenchClient> clients;
    Duration bound = common.timeout().plusMillis((long) (1000 * settings.connections() / common.connectRate())).plusSeconds(5);
    try (Progress progress = Progress.every(harness.vertx(), common.progress(), "connections: connecting", () ->
        String.format("connected=%d failed=%d", count(latency), harness.failures().total()))) {
      clients = Harness.await(harness.connectAll(settings.connections(), latency), bound);
    }
    long connectNanos = System.nanoTime() - start;
    long established = clients.stream().filter(Objects::nonNull).count();
    try {
      try (Progress progress = Progress.every(harness.vertx(), common.progress(), "connections: holding", () ->
          String.format("open=%d closed=%d", open(clients), harness.closes().total()))) {
        Harness.await(harness.after(settings.hold()), settings.hold().plusSeconds(10));
      }
      ProcessProbe.Sample after = server.isEmpty() ? null : server.sample();
      long open = open(clients);
      JsonObject report = new JsonObject()
          .put("scenario", "connections")
          .put("urls", common.targets().urls())
          .put("connections", settings.connections())
          .put("deflateOffered", common.deflate())
          .put("established", established)
          .put("failures", harness.failures().toJson())
          .put("connectRate", Report.perSecond(established, connectNanos))
          .put("connectMs", Report.latency(latency))
          .put("holdS", settings.hold().toMillis() / 1000.0)
          .put("openAfterHold", open)
          .put("closes", harness.closes().toJson())
          .put("deflateNegotiated", clients.stream().filter(c -> c != null && c.deflate()).count())
          .put("errors", harness.errors().toJson());
      if (before != null) {
        JsonObject figures = server.between(before, after, 0);
        if (open > 0) {
          figures.put("rssKbPerConnection", Report.round((after.rssKb() - before.rssKb()) / (double) open, 2));
        }
        report.put("server", figures);
      }
      if (established < settings.connections()) {
        report.put("error", (settings.connections() - established) + " connections failed");
      }
      return report;
    } finally {
      Harness.await(harness.closeAll(clients), common.timeout().plusSeconds(5));
    }
  }

  private static long count(Histogram latency) {
    synchronized (latency) {
      return latency.getTotalCount();
    }
  }

  private static long open(List<BenchClient> clients) {
    return clients.stream().filter(c -> c != null && c.isOpen()).count();
  }
}
