package io.signalmesh.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A signaling client for tests, on the JDK's WebSocket client: it speaks the protocol the way
 * a browser would and reads like it ({@code client.join("r1")}, {@code client.expect("offer")}).
 * Every wait has a deadline; nothing sleeps.
 */
public final class TestClient implements AutoCloseable {

  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final List<JsonObject> inbox = new ArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final List<CompletableFuture<Void>> pongs = new ArrayList<>();
  private final WebSocket socket;
  private boolean reading = true;
  private JsonObject connected;

  private TestClient(String uri) {
    this(HTTP, uri);
  }

  private TestClient(HttpClient http, String uri) {
    try {
      socket = http.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(URI.create(uri), new Listener())
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot connect to " + uri.replaceAll("(token|resume)=[^&]*", "$1=***"), e);
    }
  }

  /** Connects and waits for {@code connected}. */
  public static TestClient connect(String uri) {
    TestClient client = new TestClient(uri);
    client.connected = client.expect("connected");
    return client;
  }

  /** Connects through a client of the caller's (TLS trust, for wss://) and waits for {@code connected}. */
  public static TestClient connect(HttpClient http, String uri) {
    TestClient client = new TestClient(http, uri);
    client.connected = client.expect("connected");
    return client;
  }

  /** Connects without waiting for anything (for refusals). */
  public static TestClient open(String uri) {
    return new TestClient(uri);
  }

  public String id() {
    return connected.getString("clientId");
  }

  public String sessionToken() {
    return connected.getString("sessionToken");
  }

  public JsonObject connected() {
    return connected;
  }

  public void send(JsonObject message) {
    sendText(message.encode());
  }

  public void sendText(String text) {
    socket.sendText(text, true).join();
  }

  /** Sends a text message split into the given fragments. */
  public void sendFragments(String... parts) {
    for (int i = 0; i < parts.length; i++) {
      socket.sendText(parts[i], i == parts.length - 1).join();
    }
  }

  public void sendBinary(byte[] data) {
    socket.sendBinary(ByteBuffer.wrap(data), true).join();
  }

  /** Joins and returns the {@code room-participants} reply. */
  public JsonObject join(String room) {
    return join(room, null);
  }

  public JsonObject join(String room, String name) {
    JsonObject join = new JsonObject().put("type", "join-room").put("roomId", room);
    if (name != null) {
      join.put("name", name);
    }
    send(join);
    return expect("room-participants", m -> room.equals(m.getString("roomId")));
  }

  public void relay(String type, String targetId, JsonObject payload) {
    send(payload.copy().put("type", type).put("targetId", targetId));
  }

  /** The first message of this type that arrives (earlier ones of other types stay queued). */
  public JsonObject expect(String type) {
    return expect(type, m -> true);
  }

  public JsonObject expect(String type, java.util.function.Predicate<JsonObject> match) {
    return expectWithin(type, match, TIMEOUT);
  }

  /** The first message of this type within {@code timeout} (for what a documented bound allows). */
  public JsonObject expectWithin(String type, Duration timeout) {
    return expectWithin(type, m -> true, timeout);
  }

  public JsonObject expectWithin(String type, java.util.function.Predicate<JsonObject> match, Duration timeout) {
    return expectMatching("'" + type + "'", m -> type.equals(m.getString("type")) && match.test(m), timeout);
  }

  /** The first message that matches (earlier ones that do not stay queued). */
  public JsonObject expectMatching(String description, java.util.function.Predicate<JsonObject> match) {
    return expectMatching(description, match, TIMEOUT);
  }

  public synchronized JsonObject expectMatching(String description, java.util.function.Predicate<JsonObject> match,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Iterator<JsonObject> it = inbox.iterator(); it.hasNext(); ) {
        JsonObject message = it.next();
        if (match.test(message)) {
          it.remove();
          return message;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return fail("no " + description + " within " + timeout.toSeconds() + "s; got " + inbox);
      }
      waitFor(left);
    }
  }

  /** The error with this code. */
  public JsonObject expectError(String code) {
    return expect("error", m -> code.equals(m.getString("code")));
  }

  /**
   * A barrier: pings and waits for the pong. Anything the server sent this client before it
   * answered the ping has arrived by then.
   */
  public void sync() {
    send(new JsonObject().put("type", "ping"));
    expect("pong");
  }

  /**
   * A barrier below the protocol: a WebSocket ping, answered by the server's transport in turn
   * with the frames before it, so it needs no message (and no rate-limit token). Every message
   * sent before it has been handled by the time the pong is back.
   */
  public void syncTransport() {
    CompletableFuture<Void> pong = new CompletableFuture<>();
    synchronized (this) {
      pongs.add(pong);
    }
    socket.sendPing(ByteBuffer.wrap(new byte[] {1})).join();
    try {
      pong.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      fail("no WebSocket pong within " + TIMEOUT.toSeconds() + "s");
    }
  }

  /** Asserts that no message of this type is queued (call after {@link #sync}). */
  public synchronized void assertNone(String type) {
    assertThat(inbox).noneMatch(m -> type.equals(m.getString("type")));
  }

  /** Every message received so far and not yet expected, in order. */
  public synchronized List<JsonObject> drain() {
    List<JsonObject> all = List.copyOf(inbox);
    inbox.clear();
    return all;
  }

  /** Waits up to {@code timeout} until a message is queued; takes nothing. False if none came. */
  public synchronized boolean awaitAny(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inbox.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || isClosed()) {
        return !inbox.isEmpty();
      }
      waitFor(left);
    }
    return true;
  }

  /** Stops reading: the server's writes back up as they would towards a stalled client. */
  public synchronized void stopReading() {
    reading = false;
  }

  /** Waits for the connection to close and returns the close code the server sent (1006: none). */
  public int awaitClose() {
    try {
      return closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      return fail("connection not closed within " + TIMEOUT.toSeconds() + "s");
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Closes normally (1000): the session ends at once. */
  public void closeNormally() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    awaitClose();
  }

  /** Closes with another code than 1000 (1001 going away: the session waits for a resume). */
  public void closeWith(int code, String reason) {
    socket.sendClose(code, reason).join();
    awaitClose();
  }

  /** Drops the TCP connection without a close frame, like a lost network. */
  public void dropConnection() {
    socket.abort();
  }

  @Override
  public void close() {
    socket.abort();
  }

  private void waitFor(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private synchronized void received(String text) {
    inbox.add(new JsonObject(text));
    notifyAll();
  }

  private final class Listener implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received(partial.toString());
        partial.setLength(0);
      }
      synchronized (TestClient.this) {
        if (reading) {
          webSocket.request(1);
        }
      }
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      synchronized (TestClient.this) {
        if (!pongs.isEmpty()) {
          pongs.remove(0).complete(null);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      synchronized (TestClient.this) {
        TestClient.this.notifyAll();
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(1006);
    }
  }
}
