package io.signalmesh.app;

import io.signalmesh.bench.CallSetup;
import io.signalmesh.bench.Harness;
import io.signalmesh.bench.ProcessProbe;
import io.signalmesh.bench.Targets;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.logging.LogSetup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warm-up before a node serves ({@code --warm-up-joins}): call set-ups on a private node on a
 * loopback port, the load generator's churn calls (two clients connect, join a room, exchange an
 * offer, an answer and candidates, and leave), a number of them at once; then the private node
 * stops again. The classes are the same as the real node's, so the JIT has compiled the connect,
 * join, relay and leave paths when the first real clients come: a fresh node took its first 5,000
 * joins at about half the rate of a warm one. Calls rather than bursts of joins: in a burst all
 * clients connect, then all join, then all close, and each phase undid part of what the compiler
 * had made of the one before (docs/benchmarks.md, "A fresh node's first join burst, five rounds").
 * With Redis presence the private node joins through that Redis, under a key prefix of its own
 * ({@code ServeCommand.rehearsalConfig}), so the Redis client and the presence scripts' calls are
 * compiled too, and removes what it wrote there before it stops.
 */
public final class NodeRehearsal {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRehearsal.class);
  /** Calls in progress at once: about what the churn benchmark's 1,000 calls a second keep open. */
  private static final int IN_FLIGHT = 200;
  /** What a call of the churn benchmark sends: 4 candidates each way, SDP of 1,500 bytes. */
  private static final int CANDIDATES = 4;
  private static final int SDP_BYTES = 1_500;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Supplier<ServerConfig> config;

  /**
   * @param config the private node's configuration (loopback, alone, without per-address limits),
   *     made when the rehearsal runs, so that a configuration it cannot make only cuts it short
   */
  public NodeRehearsal(Supplier<ServerConfig> config) {
    this.config = config;
  }

  /** What a rehearsal did. */
  public record Result(int joins, long millis) {}

  /**
   * Rehearses {@code joins} joins (rounded up to whole calls of two) and stops the private node.
   * Never fails: a rehearsal that goes wrong is logged, and the node starts colder.
   */
  public Result run(int joins) {
    long start = System.nanoTime();
    int done = 0;
    LOG.atInfo().addKeyValue("joins", joins).log("warm-up: rehearsing joins on a private node before serving");
    List<String> missing = LateClasses.load();
    if (!missing.isEmpty()) {
      LOG.atInfo().addKeyValue("classes", missing).log("warm-up: classes to load before the rehearsal not found");
    }
    try (AutoCloseable quiet = LogSetup.quiet()) {
      SignalmeshNode node = Harness.await(SignalmeshNode.start(config.get()), TIMEOUT);
      try (Harness harness = Harness.start(settings(node.port()), 2 * IN_FLIGHT)) {
        int calls = (joins + 1) / 2;
        Calls made = Harness.await(calls(harness, calls), TIMEOUT.multipliedBy(1 + calls / 1_000));
        done = 2 * made.succeeded();
        if (made.firstFailure() != null) {
          throw new IllegalStateException("a warm-up call failed at " + made.firstFailure() + " (error replies: "
              + harness.errors().toJson().encode() + "); no call was started after it: " + made.succeeded()
              + " succeeded of the " + made.started() + " started (" + calls + " asked)");
        }
      } finally {
        Harness.await(node.drainForgetAndStop(), TIMEOUT);
      }
    } catch (Exception e) {
      LOG.atWarn().addKeyValue("joins", done).setCause(e).log("warm-up cut short; serving anyway");
    }
    Result result = new Result(done, (System.nanoTime() - start) / 1_000_000);
    LOG.atInfo().addKeyValue("joins", result.joins()).addKeyValue("ms", result.millis()).log("warm-up done");
    return result;
  }

  /** How many calls started and succeeded, and the stage at which the first one failed (null if none did). */
  private record Calls(int started, int succeeded, String firstFailure) {}

  /** Runs {@code calls} calls, {@link #IN_FLIGHT} at a time. */
  private static Future<Calls> calls(Harness harness, int calls) {
    return new ClosedLoop(harness, calls).start();
  }

  /**
   * A new call as each one ends, until the count is made or a call fails: a failure (the private
   * node's Redis is away, say) would only repeat, and each would hold the node's start up for a
   * call's timeout. Its counters are only touched on one loop.
   */
  private static final class ClosedLoop {
    private final Harness harness;
    private final int calls;
    private final String sdp = CallSetup.sdp(SDP_BYTES);
    private final String rooms = Harness.roomPrefix("warm-up");
    private final Context loop;
    private final Promise<Calls> result = Promise.promise();
    private int started;
    private int finished;
    private int succeeded;
    private String firstFailure;

    ClosedLoop(Harness harness, int calls) {
      this.harness = harness;
      this.calls = calls;
      this.loop = harness.loop(0);
    }

    Future<Calls> start() {
      loop.runOnContext(v -> {
        for (int i = 0; i < Math.min(IN_FLIGHT, calls); i++) {
          next();
        }
      });
      return result.future();
    }

    private void next() {
      int index = started++;
      new CallSetup(harness, index, rooms + index, CANDIDATES, sdp, false).run(TIMEOUT)
          .onComplete(outcome -> loop.runOnContext(v -> ended(outcome.succeeded() ? outcome.result().failedStage() : "run")));
    }

    /** @param failedStage where the call failed, null if it succeeded */
    private void ended(String failedStage) {
      finished++;
      if (failedStage == null) {
        succeeded++;
      } else if (firstFailure == null) {
        firstFailure = failedStage;
      }
      if (started < calls && firstFailure == null) {
        next();
      } else if (finished == started) {
        result.complete(new Calls(started, succeeded, firstFailure));
      }
    }
  }

  private Harness.Settings settings(int port) {
    // one loop for the clients: the node's loops get the rest of the machine
    return new Harness.Settings(Targets.of(List.of("ws://127.0.0.1:" + port + "/ws"), false), 1, false, TIMEOUT,
        5_000, IN_FLIGHT, new ProcessProbe(List.of()), new PrintStream(OutputStream.nullOutputStream()));
  }
}
