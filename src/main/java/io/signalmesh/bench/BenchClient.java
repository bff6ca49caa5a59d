package io.signalmesh.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.ContextInternal;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One signaling connection of a run, confined to one event loop. It completes its connect once
 * the server's {@code connected} frame (with the {@code clientId}) arrives; every later frame
 * goes to the listener, and every {@code error} frame is also counted by its code. A close the
 * run did not ask for is counted by its close code.
 */
public final class BenchClient {

  private final Context context;
  private final Tally errors;
  private final Tally closes;
  private final ClientWebSocket socket;
  private final Promise<BenchClient> connected = Promise.promise();
  private volatile String clientId;
  private volatile Consumer<Frame> listener = frame -> {};
  private String awaitedType;
  private Promise<Frame> awaited;
  private boolean closing;
  private boolean deflate;
  private long connectNanos;
  private long requestSentNanos;

  private BenchClient(Context context, WebSocketClient client, Tally errors, Tally closes) {
    this.context = context;
    this.errors = errors;
    this.closes = closes;
    this.socket = client.webSocket();
  }

  /**
   * Connects on {@code context}; the future fails with a short reason ({@link #reason}) when
   * the upgrade fails or no {@code connected} frame arrives within {@code timeout}.
   */
  public static Future<BenchClient> connect(WebSocketClient client, Context context, String url, Duration timeout,
      Tally errors, Tally closes) {
    Promise<BenchClient> result = Promise.promise();
    onLoop(context, () -> {
      BenchClient bench = new BenchClient(context, client, errors, closes);
      bench.open(url, timeout).onComplete(result);
    });
    return result.future();
  }

  /**
   * Runs {@code action} on {@code context}: at once when the caller is already on it (a call's
   * next step, taken by the handler of the frame before it), else as a task. Saves a queued task
   * and its wake-up per step; the order of one client's writes is the same either way.
   */
  private static void onLoop(Context context, Runnable action) {
    // the thread, not Vertx.currentContext(): handlers and timers run on duplicates of the context
    if (((ContextInternal) context).nettyEventLoop().inEventLoop()) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private Future<BenchClient> open(String url, Duration timeout) {
    long start = System.nanoTime();
    socket.textMessageHandler(this::received);
    socket.closeHandler(v -> closed());
    socket.exceptionHandler(e -> {});
    long timer = context.owner().setTimer(timeout.toMillis(),
        id -> connected.tryFail(new TimeoutException("no connected frame within " + timeout.toMillis() + " ms")));
    socket.connect(new WebSocketConnectOptions().setAbsoluteURI(url)).onComplete(ar -> {
      if (ar.failed()) {
        connected.tryFail(ar.cause());
      } else {
        String extensions = ar.result().headers() == null ? null : ar.result().headers().get("Sec-WebSocket-Extensions");
        deflate = extensions != null && extensions.contains("permessage-deflate");
      }
    });
    return connected.future().andThen(ar -> {
      context.owner().cancelTimer(timer);
      if (ar.failed()) {
        closeQuietly();
      } else {
        connectNanos = System.nanoTime() - start;
      }
    });
  }

  private void received(String text) {
    Frame frame = new Frame(text);
    if (clientId == null) {
      if ("connected".equals(frame.type()) && frame.string("clientId") != null) {
        clientId = frame.string("clientId");
        connected.tryComplete(this);
      }
      return;
    }
    String type = frame.type();
    if ("error".equals(type)) {
      String code = frame.string("code");
      errors.add(code == null ? "unknown" : code);
      if (awaited != null) {
        Promise<Frame> failed = awaited;
        awaited = null;
        failed.tryFail("error " + code);
        return;
      }
    } else if (awaited != null && awaitedType.equals(type)) {
      Promise<Frame> reply = awaited;
      awaited = null;
      reply.tryComplete(frame);
      return;
    }
    listener.accept(frame);
  }

  private void closed() {
    if (!connected.future().isComplete()) {
      Short code = socket.closeStatusCode();
      connected.tryFail(new IllegalStateException("closed " + (code == null ? 1006 : code) + " before connected"));
      return;
    }
    if (!closing) {
      Short code = socket.closeStatusCode();
      closes.add(Integer.toString(code == null ? 1006 : code));
    }
  }

  /** The short reason a connect failed for the report's {@code failures} (refused, timeout, http-503, ...). */
  public static String reason(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return "timeout";
    }
    if (failure instanceof UpgradeRejectedException rejected) {
      return "http-" + rejected.getStatus();
    }
    if (failure instanceof ConnectException) {
      String message = String.valueOf(failure.getMessage()).toLowerCase();
      return message.contains("refused") ? "refused" : message.contains("timed out") ? "connect-timeout" : "connect-error";
    }
    String message = String.valueOf(failure.getMessage());
    if (message.startsWith("closed ")) {
      return "closed-" + message.split(" ")[1];
    }
    if (message.toLowerCase().contains("too many open files")) {
      return "too-many-open-files";
    }
    if (message.toLowerCase().contains("reset")) {
      return "reset";
    }
    return failure.getClass().getSimpleName();
  }

  /**
   * Sends a frame and completes with the first frame of {@code replyType} (which the listener
   * then does not see); fails on an error frame or after {@code timeout}. One at a time.
   */
  public Future<Frame> request(String text, String replyType, Duration timeout) {
    Promise<Frame> reply = Promise.promise();
    onLoop(context, () -> {
      if (awaited != null) {
        reply.fail("a request is already pending");
        return;
      }
      awaitedType = replyType;
      awaited = reply;
      long timer = context.owner().setTimer(timeout.toMillis(), id -> {
        if (awaited == reply) {
          awaited = null;
        }
        reply.tryFail(new TimeoutException("no " + replyType + " within " + timeout.toMillis() + " ms"));
      });
      reply.future().onComplete(ar -> context.owner().cancelTimer(timer));
      requestSentNanos = System.nanoTime();
      socket.writeTextMessage(text);
    });
    return reply.future();
  }

  /**
   * When the last {@link #request} was handed to the socket on this client's event loop
   * ({@link System#nanoTime()}): the start of a timed exchange without the wait for the loop.
   * Read it once the request's future completed (or from this client's loop).
   */
  public long requestSentNanos() {
    return requestSentNanos;
  }

  /** Joins a room: completes with the {@code room-participants} reply. */
  public Future<Frame> join(String roomId, Duration timeout) {
    return request("{\"type\":\"join-room\",\"roomId\":\"" + roomId + "\"}", "room-participants", timeout);
  }

  /** Sets what receives the frames after {@code connected} (from any thread). */
  public BenchClient onFrame(Consumer<Frame> listener) {
    this.listener = listener;
    return this;
  }

  public Context context() {
    return context;
  }

  public String clientId() {
    return clientId;
  }

  /** From the start of the connect to the {@code connected} frame. */
  public long connectNanos() {
    return connectNanos;
  }

  /** Whether the server accepted permessage-deflate. */
  public boolean deflate() {
    return deflate;
  }

  public WebSocket socket() {
    return socket;
  }

  public boolean isOpen() {
    return !socket.isClosed();
  }

  /** Writes a text frame (from any thread; Vert.x hands it to this client's event loop). */
  public void send(String text) {
    socket.writeTextMessage(text);
  }

  /** Closes normally (1000), as a browser tab that hangs up; not counted as an unexpected close. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    onLoop(context, () -> {
      closing = true;
      if (socket.isClosed()) {
        done.complete();
      } else {
        socket.close((short) 1000).onComplete(ar -> done.complete());
      }
    });
    return done.future();
  }

  private void closeQuietly() {
    closing = true;
    try {
      if (!socket.isClosed()) {
        socket.close();
      }
    } catch (RuntimeException notConnected) {
      // the upgrade never completed: nothing to close
    }
  }
}
