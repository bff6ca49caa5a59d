package io.signalmesh.reliability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One side of a call in a fault run: a real WebSocket client through the load balancer that
 * relays numbered {@code ice-candidate}s to its partner, each followed by a {@code ping}, and
 * keeps a ledger of what happened to every message (see {@link DeliveryCheck}). When its
 * connection drops it resumes through the balancer with its session token, as a browser client
 * does; it never gives up its session by itself.
 *
 * <p>A {@code pong} settles the relay sent just before its ping: the server handles a
 * connection's messages in order, so by then it has routed the relay (or answered it with an
 * error, which then arrives before the pong).
 */
final class CallPeer {

  /** What became of one relayed message, on the sender's side. */
  static final class Outgoing {
    final long seq;
    final int connection;
    final long sentNanos;
    volatile long settledNanos = -1;
    volatile String error;
    volatile long droppedNanos = -1;

    Outgoing(long seq, int connection, long sentNanos) {
      this.seq = seq;
      this.connection = connection;
      this.sentNanos = sentNanos;
    }
  }

  /** One relayed message as its target received it. */
  record Incoming(long seq, int connection, long atNanos) {}

  /** A connection of this peer: when it ended (-1 while open). */
  static final class Link {
    final int number;
    volatile long endedNanos = -1;

    Link(int number) {
      this.number = number;
    }
  }

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final Executor background;
  private final String baseUrl;
  private final String room;
  private final String name;
  private final Duration resumeWithin;
  private final List<Outgoing> sent = new ArrayList<>();
  private final ArrayDeque<Outgoing> awaitingPong = new ArrayDeque<>();
  private final List<Incoming> received = new ArrayList<>();
  private final List<Link> links = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final Object sendLock = new Object();
  private String clientId;
  private String sessionToken;
  private String partnerId;
  private WebSocket socket;
  private Link current;
  private boolean joined;
  private boolean stopped;
  private long nextSeq = 1;
  private int resumes;

  /** @param background runs the resumes (they wait for the balancer and the nodes) */
  CallPeer(HttpClient http, Executor background, String baseUrl, String room, String name, Duration resumeWithin) {
    this.http = http;
    this.background = background;
    this.baseUrl = baseUrl;
    this.room = room;
    this.name = name;
    this.resumeWithin = resumeWithin;
  }

  /** Connects (a new session) and joins the call's room; the partner is learned from the room. */
  void start() {
    JsonObject connected = open(baseUrl + "/ws");
    synchronized (this) {
      clientId = connected.getString("clientId");
      sessionToken = connected.getString("sessionToken");
    }
    sendNow(new JsonObject().put("type", "join-room").put("roomId", room).put("name", name).encode());
  }

  synchronized boolean ready() {
    return joined && partnerId != null && socket != null && !stopped;
  }

  synchronized String clientId() {
    return clientId;
  }

  String room() {
    return room;
  }

  String name() {
    return name;
  }

  /** Relays the next numbered message to the partner, then a ping; does nothing while reconnecting. */
  void relayNext() {
    Outgoing outgoing;
    WebSocket to;
    String target;
    synchronized (this) {
      if (!ready()) {
        return;
      }
      outgoing = new Outgoing(nextSeq++, current.number, System.nanoTime());
      sent.add(outgoing);
      awaitingPong.add(outgoing);
      to = socket;
      target = partnerId;
    }
    String relay = new JsonObject().put("type", "ice-candidate").put("targetId", target).put("seq", outgoing.seq)
        .put("candidate", new JsonObject().put("candidate", "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host")
            .put("sdpMid", "0").put("sdpMLineIndex", 0))
        .encode();
    send(to, relay);
    send(to, "{\"type\":\"ping\"}");
  }

  /** Stops relaying; the connection stays open. */
  synchronized void stop() {
    stopped = true;
  }

  /** Every relay has been answered (settled, refused, or lost with its connection). */
  synchronized boolean quiet() {
    return awaitingPong.isEmpty() && socket != null;
  }

  synchronized List<Outgoing> sent() {
    return List.copyOf(sent);
  }

  synchronized List<Incoming> received() {
    return List.copyOf(received);
  }

  synchronized List<Link> links() {
    return List.copyOf(links);
  }

  synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  synchronized int resumes() {
    return resumes;
  }

  synchronized boolean connected() {
    return socket != null;
  }

  void close() {
    WebSocket s;
    synchronized (this) {
      stopped = true;
      s = socket;
      socket = null;
    }
    if (s != null) {
      s.abort();
    }
  }

  // --- connection handling ---

  /** Opens a connection and waits for {@code connected}; the new connection becomes current. */
  private JsonObject open(String url) {
    CompletableFuture<JsonObject> greeting = new CompletableFuture<>();
    Link link;
    synchronized (this) {
      link = new Link(links.size() + 1);
      links.add(link);
      current = link;
    }
    WebSocket ws;
    try {
      ws = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT).buildAsync(URI.create(url), new Listener(link, greeting))
          .get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      link.endedNanos = System.nanoTime();
      throw new IllegalStateException("cannot connect " + name + ": " + e, e);
    }
    JsonObject connected;
    try {
      connected = greeting.get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      ws.abort();
      throw new IllegalStateException("no connected frame for " + name, e);
    }
    synchronized (this) {
      if (link.endedNanos >= 0) {
        throw new IllegalStateException("connection of " + name + " dropped as it opened");
      }
      socket = ws;
    }
    return connected;
  }

  private void sendNow(String text) {
    WebSocket to;
    synchronized (this) {
      to = socket;
    }
    send(to, text);
  }

  /** One send at a time per socket (the JDK client's rule); a send on a dead socket is simply lost with it. */
  private void send(WebSocket to, String text) {
    if (to == null) {
      return;
    }
    synchronized (sendLock) {
      try {
        to.sendText(text, true).get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        // the connection dropped: its close handler accounts for what was in flight
      }
    }
  }

  private void dropped(Link link) {
    long now = System.nanoTime();
    synchronized (this) {
      if (link.endedNanos >= 0) {
        return;
      }
      link.endedNanos = now;
      if (current != link || socket == null) {
        // an older connection, or one still opening (open() notices)
        return;
      }
      socket = null;
      for (Outgoing outgoing : awaitingPong) {
        outgoing.droppedNanos = now;
      }
      awaitingPong.clear();
    }
    background.execute(this::resume);
  }

  /** Resumes through the balancer until it works or the grace is over (then the session is lost: a problem). */
  private void resume() {
    long deadline = System.nanoTime() + resumeWithin.toNanos();
    String token;
    synchronized (this) {
      token = sessionToken;
    }
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      synchronized (this) {
        if (socket != null) {
          return;
        }
      }
      try {
        JsonObject connected = open(baseUrl + "/ws?resume=" + token);
        synchronized (this) {
          resumes++;
          if (!Boolean.TRUE.equals(connected.getBoolean("resumed"))
              || !connected.getString("clientId").equals(clientId)) {
            problems.add("session of " + name + " not resumed: got " + connected.getString("clientId")
                + " instead of " + clientId);
            stopped = true;
          }
        }
        return;
      } catch (RuntimeException e) {
        last = e;
        pause(Duration.ofMillis(200));
      }
    }
    synchronized (this) {
      problems.add("could not resume " + name + " within " + resumeWithin.toSeconds() + "s: " + last);
      stopped = true;
    }
  }

  private synchronized void handle(Link link, JsonObject message, CompletableFuture<JsonObject> greeting) {
    long now = System.nanoTime();
    String type = message.getString("type", "");
    switch (type) {
      case "connected" -> greeting.complete(message);
      case "room-participants" -> {
        if (room.equals(message.getString("roomId"))) {
          joined = true;
          JsonArray others = message.getJsonArray("participants", new JsonArray());
          if (!others.isEmpty()) {
            partnerId = others.getString(0);
          }
        }
      }
      case "participant-joined" -> {
        if (room.equals(message.getString("roomId"))) {
          String joiner = message.getString("participantId");
          if (partnerId != null && !partnerId.equals(joiner)) {
            problems.add(name + " saw a second participant join: " + joiner);
          }
          partnerId = joiner;
        }
      }
      case "ice-candidate" -> {
        if (!message.getString("senderId", "").equals(partnerId)) {
          problems.add(name + " got a relay from " + message.getString("senderId") + ", not its partner " + partnerId);
        } else {
          received.add(new Incoming(message.getLong("seq"), link.number, now));
        }
      }
      case "pong" -> {
        if (link != current) {
          return;
        }
        Outgoing settled = awaitingPong.poll();
        if (settled != null) {
          settled.settledNanos = now;
        }
      }
      case "error" -> {
        if ("ice-candidate".equals(message.getString("ref")) && link == current && !awaitingPong.isEmpty()) {
          awaitingPong.peek().error = message.getString("code");
        } else {
          problems.add(name + " got an error: " + message.encode());
        }
      }
      case "participant-left", "peer-disconnected" ->
          problems.add(name + " saw its partner leave although it resumed in time: " + message.encode());
      default -> problems.add(name + " got an unexpected " + message.encode());
    }
  }

  private static void pause(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final Link link;
    private final CompletableFuture<JsonObject> greeting;
    private final StringBuilder partial = new StringBuilder();

    Listener(Link link, CompletableFuture<JsonObject> greeting) {
      this.link = link;
      this.greeting = greeting;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject message = new JsonObject(partial.toString());
        partial.setLength(0);
        handle(link, message, greeting);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      greeting.completeExceptionally(new IllegalStateException("closed " + statusCode));
      dropped(link);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      greeting.completeExceptionally(error);
      dropped(link);
    }
  }
}
