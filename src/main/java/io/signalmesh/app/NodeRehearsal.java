package io.signalmesh.app;

import io.signalmesh.bench.Harness;
import io.signalmesh.bench.JoinScenario;
import io.signalmesh.bench.ProcessProbe;
import io.signalmesh.bench.Targets;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.logging.LogSetup;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warm-up before a node serves ({@code --warm-up-joins}): bursts of clients connect to a
 * private node on a loopback port and join rooms of two, through the load generator's join
 * scenario, and the private node stops again. The classes are the same as the real node's, so the
 * JIT has compiled the connect and join path when the first real clients come: a fresh node took
 * its first 5,000 joins at about half the rate of a warm one (docs/benchmarks.md).
 */
public final class NodeRehearsal {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRehearsal.class);
  /** Clients per burst: the burst of the join benchmark. */
  static final int BURST = 5_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final ServerConfig config;

  /** @param config the private node's configuration: loopback, in memory, alone, without per-address limits */
  public NodeRehearsal(ServerConfig config) {
    this.config = config;
  }

  /** What a rehearsal did. */
  public record Result(int joins, long millis) {}

  /**
   * Rehearses about {@code joins} joins (rounded up to whole rooms of two) and stops the private
   * node. Never fails: a rehearsal that goes wrong is logged, and the node starts colder.
   */
  public Result run(int joins) {
    long start = System.nanoTime();
    int done = 0;
    LOG.atInfo().addKeyValue("joins", joins).log("warm-up: rehearsing joins on a private node before serving");
    try (AutoCloseable quiet = LogSetup.quiet()) {
      SignalmeshNode node = Harness.await(SignalmeshNode.start(config), TIMEOUT);
      try (Harness harness = Harness.start(settings(node.port()), BURST)) {
        while (done < joins) {
          int clients = Math.min(BURST, joins - done + (joins - done) % 2);
          JsonObject report = new JoinScenario(harness,
              new JoinScenario.Settings(clients, 2, JoinScenario.Mode.burst, 0, Duration.ZERO)).run();
          if (report.containsKey("error") || report.getInteger("joins", 0) == 0) {
            throw new IllegalStateException("warm-up burst failed: " + report.encode());
          }
          done += report.getInteger("joins");
        }
      } finally {
        Harness.await(node.drainAndStop(), TIMEOUT);
      }
    } catch (Exception e) {
      LOG.atWarn().addKeyValue("joins", done).setCause(e).log("warm-up cut short; serving anyway");
    }
    Result result = new Result(done, (System.nanoTime() - start) / 1_000_000);
    LOG.atInfo().addKeyValue("joins", result.joins()).addKeyValue("ms", result.millis()).log("warm-up done");
    return result;
  }

  private Harness.Settings settings(int port) {
    // one loop for the clients: the node's loops get the rest of the machine
    return new Harness.Settings(Targets.of(List.of("ws://127.0.0.1:" + port + "/ws"), false), 1, false, TIMEOUT,
        5_000, 500, new ProcessProbe(List.of()), new PrintStream(OutputStream.nullOutputStream()));
  }
}
