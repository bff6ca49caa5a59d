package io.signalmesh.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * What every scenario runs on: its own Vert.x with a few event loops (clients are spread over
 * them), one WebSocket client, the targets, and the run-wide tallies (error frames by code,
 * unexpected closes by code, connect failures by reason). Connecting many clients is paced and
 * bounded here, once for all scenarios.
 */
public final class Harness implements AutoCloseable {

  /** Settings every scenario shares. */
  public record Settings(Targets targets, int eventLoops, boolean deflate, Duration timeout, double connectRate,
      int maxInFlight, ProcessProbe server, PrintStream progress) {}

  private final Vertx vertx;
  private final WebSocketClient client;
  private final List<Context> loops;
  private final Settings settings;
  private final Tally errors = new Tally();
  private final Tally closes = new Tally();
  private final Tally failures = new Tally();

  private Harness(Vertx vertx, WebSocketClient client, List<Context> loops, Settings settings) {
    this.vertx = vertx;
    this.client = client;
    this.loops = loops;
    this.settings = settings;
  }

  public static Harness start(Settings settings, int maxConnections) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(settings.eventLoops()));
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setMaxConnections(Math.max(1, maxConnections))
        .setConnectTimeout((int) settings.timeout().toMillis())
        .setTcpNoDelay(true)
        // offered as Chromium offers it: permessage-deflate with client_max_window_bits
        .setTryUsePerMessageCompression(settings.deflate())
        .setTryUsePerFrameCompression(false);
    WebSocketClient client = vertx.createWebSocketClient(options);
    List<Future<Context>> contexts = new ArrayList<>();
    for (int i = 0; i < settings.eventLoops(); i++) {
      Promise<Context> loop = Promise.promise();
      vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          loop.complete(context);
          return Future.succeededFuture();
        }
      }, new DeploymentOptions());
      contexts.add(loop.future());
    }
    List<Context> loops = await(Future.all(contexts).map(all -> all.<Context>list()), Duration.ofSeconds(10));
    return new Harness(vertx, client, loops, settings);
  }

  public Vertx vertx() {
    return vertx;
  }

  public WebSocketClient client() {
    return client;
  }

  public Settings settings() {
    return settings;
  }

  /** The event loop of the {@code index}-th client. */
  public Context loop(int index) {
    return loops.get(Math.floorMod(index, loops.size()));
  }

  public int loopCount() {
    return loops.size();
  }

  public Tally errors() {
    return errors;
  }

  public Tally closes() {
    return closes;
  }

  public Tally failures() {
    return failures;
  }

  /** Connects one client: the {@code index}-th URL and event loop. */
  public Future<BenchClient> connect(int index) {
    return connect(index, loop(index));
  }

  /** Connects one client to the {@code index}-th URL on the given event loop (the partners of a call share one). */
  public Future<BenchClient> connect(int index, Context loop) {
    return BenchClient.connect(client, loop, settings.targets().forClient(index), settings.timeout(), errors, closes);
  }

  /**
   * Connects {@code count} clients at the connect rate with at most {@code maxInFlight} pending,
   * recording connect latency. Completes when every attempt has ended (each is bounded by the
   * timeout) with the clients that connected, in index order (null for a failure, whose reason
   * is in {@link #failures()}).
   */
  public Future<List<BenchClient>> connectAll(int count, Histogram latency) {
    List<BenchClient> clients = new ArrayList<>(java.util.Collections.nCopies(count, null));
    Promise<List<BenchClient>> done = Promise.promise();
    if (count == 0) {
      return Future.succeededFuture(clients);
    }
    AtomicInteger finished = new AtomicInteger();
    Context pacing = loops.get(0);
    pacing.runOnContext(v -> {
      Pacer pacer = new Pacer(settings.connectRate(), System.nanoTime(), Long.MAX_VALUE);
      int[] next = {0};
      int[] inFlight = {0};
      long[] owed = {0};
      vertx.setPeriodic(1, id -> {
        owed[0] += pacer.due(System.nanoTime());
        while (owed[0] > 0 && inFlight[0] < settings.maxInFlight() && next[0] < count) {
          int index = next[0]++;
          owed[0]--;
          inFlight[0]++;
          connect(index).onComplete(ar -> pacing.runOnContext(x -> {
            inFlight[0]--;
            if (ar.succeeded()) {
              clients.set(index, ar.result());
              synchronized (latency) {
                Report.record(latency, ar.result().connectNanos());
              }
            } else {
              failures.add(BenchClient.reason(ar.cause()));
            }
            if (finished.incrementAndGet() == count) {
              done.complete(clients);
            }
          }));
        }
        if (next[0] == count) {
          vertx.cancelTimer(id);
        }
      });
    });
    return done.future();
  }

  /** Closes the clients normally, waiting at most the timeout (a server must not keep their sessions for a resume). */
  public Future<Void> closeAll(List<BenchClient> clients) {
    List<Future<Void>> closing = new ArrayList<>();
    for (BenchClient c : clients) {
      if (c != null) {
        closing.add(c.close());
      }
    }
    Promise<Void> done = Promise.promise();
    Future.join(closing).onComplete(ar -> done.tryComplete());
    vertx.setTimer(settings.timeout().toMillis(), id -> done.tryComplete());
    return done.future();
  }

  /** A prefix for the rooms of one run, unique to it: {@code bench-<8 hex digits>-<kind>}. */
  public static String roomPrefix(String kind) {
    return "bench-" + UUID.randomUUID().toString().substring(0, 8) + "-" + kind;
  }

  /** A sample of the watched server processes; null when none is watched. */
  public ProcessProbe.Sample sampleServer() {
    return settings.server().isEmpty() ? null : settings.server().sample();
  }

  /**
   * Issues actions on the first event loop at {@code rate} per second for {@code duration},
   * starting 10 ms from now; a late tick catches up, at most a hundredth of a second's worth at
   * once ({@link Pacer}). Blocks the calling (non-Vert.x) thread until the time is up and returns
   * the futures {@code issue} gave, in order; it may give null for an action it skipped.
   */
  public <T> List<Future<T>> pace(double rate, Duration duration, Supplier<Future<T>> issue) {
    List<Future<T>> issued = new ArrayList<>();
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime() + 10_000_000L;
    long end = start + duration.toNanos();
    Context pacing = loops.get(0);
    pacing.runOnContext(v -> {
      Pacer pacer = new Pacer(rate, start, Math.max(1, (long) rate / 100));
      vertx.setPeriodic(1, id -> {
        long now = System.nanoTime();
        if (now >= end) {
          vertx.cancelTimer(id);
          done.complete();
          return;
        }
        for (long n = pacer.due(now); n > 0; n--) {
          Future<T> action = issue.get();
          if (action != null) {
            issued.add(action);
          }
        }
      });
    });
    await(done.future(), duration.plus(settings.timeout()));
    Promise<List<Future<T>>> copy = Promise.promise();
    pacing.runOnContext(v -> copy.complete(List.copyOf(issued)));
    return await(copy.future(), settings.timeout());
  }

  /** A future that completes after {@code delay}. */
  public Future<Void> after(Duration delay) {
    Promise<Void> done = Promise.promise();
    vertx.setTimer(Math.max(1, delay.toMillis()), id -> done.complete());
    return done.future();
  }

  /** Blocks the calling (non-Vert.x) thread for a future, at most {@code limit}. */
  public static <T> T await(Future<T> future, Duration limit) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no result within " + limit.toSeconds() + " s", e);
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      settings.progress().println("bench: Vert.x did not close cleanly: " + e);
    }
  }
}
