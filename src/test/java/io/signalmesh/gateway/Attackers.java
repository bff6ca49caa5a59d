package io.signalmesh.gateway;

import io.signalmesh.auth.RoomTokenIssuer;
import io.signalmesh.protocol.FieldLimits;
import io.signalmesh.protocol.HostileFrames;
import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.RawWebSocket.Frame;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

/**
 * Every kind of misbehaving client of issue "Abuse protection", each one round at a time from
 * its own loopback address, each round answering with what the node did about it (an outcome
 * such as {@code too-large+1009}). The soak compares outcomes with what docs/security.md
 * promises. Sockets are blocking with deadlines; nothing here sleeps.
 */
final class Attackers {

  /** The node's limits the attacks are aimed at (the serve flags of the soak). */
  record Limits(int maxMessageBytes, int rateBurst, int joinBurst, int maxConnectionsPerIp, Duration handshakeTimeout) {}

  /** The node's room-token secret (the expired token is signed with it: only its exp is wrong). */
  static final String SECRET = "hostile-soak-secret-of-32-bytes-or-more";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private final int port;
  private final int managementPort;
  private final String adminKey;
  private final RoomTokenIssuer issuer;
  private final Limits limits;
  private final HostileFrames frames = new HostileFrames(new FieldLimits(64, 1024));
  private final Random random = new Random();
  /** Client ids the spoofing attacker got from the node: the only senders the victim may see besides its partner. */
  final Set<String> spooferIds = ConcurrentHashMap.newKeySet();
  final AtomicLong joinsSent = new AtomicLong();
  private volatile List<String> honestIds = List.of();
  private volatile List<String> honestTokens = List.of();
  private volatile String victimId;

  Attackers(int port, int managementPort, String adminKey, RoomTokenIssuer issuer, Limits limits) {
    this.port = port;
    this.managementPort = managementPort;
    this.adminKey = adminKey;
    this.issuer = issuer;
    this.limits = limits;
  }

  /** The honest clients' ids and session tokens, for the attackers to impersonate and guess near. */
  void aimAt(List<String> ids, List<String> sessionTokens, String victim) {
    this.honestIds = List.copyOf(ids);
    this.honestTokens = List.copyOf(sessionTokens);
    this.victimId = victim;
  }

  // ---- floods and frames ----

  String flood(String from) {
    try (RawWebSocket ws = session(from, "attack-flood")) {
      byte[] ping = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
      // the burst, then more refusals than the burst: the strike limit closes the connection
      for (int i = 0; i < 3 * limits.rateBurst() + 10; i++) {
        ws.sendFrame(true, 0, RawWebSocket.OP_TEXT, ping);
      }
      return ending(ws);
    }
  }

  String oversized(String from) {
    try (RawWebSocket ws = session(from, "attack-big")) {
      if (random.nextBoolean()) {
        ws.sendText(TransportTest.jsonOfSize(limits.maxMessageBytes() + 1));
      } else {
        ws.sendFrameHeader(RawWebSocket.OP_TEXT, 1L << 40);
      }
      return ending(ws);
    }
  }

  String endlessFragments(String from) {
    try (RawWebSocket ws = session(from, "attack-fragments")) {
      byte[] chunk = new byte[1000];
      java.util.Arrays.fill(chunk, (byte) 'x');
      ws.sendFrame(false, 0, RawWebSocket.OP_TEXT, chunk);
      // exactly past the limit: what would follow is never read, the message is refused there
      for (int sent = chunk.length; sent <= limits.maxMessageBytes(); sent += chunk.length) {
        ws.sendFrame(false, 0, RawWebSocket.OP_CONTINUATION, chunk);
      }
      return ending(ws);
    }
  }

  String compressionBomb(String from) {
    try (RawWebSocket ws = RawWebSocket.connect(from, port, "/ws?token=" + token("attack-zip"),
        Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"), 0)) {
      if (ws.header("Sec-WebSocket-Extensions") != null) {
        return "compression negotiated: " + ws.header("Sec-WebSocket-Extensions");
      }
      ws.expect("connected");
      // 1 MiB of zeros deflates to about 1 KiB: a frame the size of a chat line that inflates past every limit
      ws.sendFrame(true, 4, RawWebSocket.OP_TEXT, deflated(1024 * 1024));
      return ending(ws);
    }
  }

  String garbage(String from) {
    try (RawWebSocket ws = session(from, "attack-garbage")) {
      List<HostileFrames.Invalid> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        HostileFrames.Invalid frame = frames.invalid(random);
        sent.add(frame);
        ws.sendText(frame.text());
      }
      for (HostileFrames.Invalid frame : sent) {
        JsonObject error = ws.expect("error");
        if (!frame.code().wireName().equals(error.getString("code"))) {
          return "got " + error.getString("code") + " for " + frame;
        }
      }
      ws.sendFrame(true, 0, RawWebSocket.OP_BINARY, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      return "errors as named, binary: " + ending(ws);
    }
  }

  // ---- before the WebSocket ----

  String slowloris(String from) {
    List<RawUpgrade> waiting = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        RawUpgrade connection = RawUpgrade.open(from, port);
        if (i % 2 == 0) {
          connection.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
        }
        waiting.add(connection);
      }
      Duration bound = limits.handshakeTimeout().plusSeconds(5);
      for (RawUpgrade connection : waiting) {
        if (!connection.awaitEndOfStream(bound)) {
          return "a half-open connection still open after " + bound.toSeconds() + "s";
        }
      }
      return "closed at the handshake timeout";
    } finally {
      waiting.forEach(RawUpgrade::close);
    }
  }

  String upgradeWithBody(String from) {
    Map<String, String> headers = random.nextBoolean() ? Map.of("Content-Length", "5") : Map.of("Transfer-Encoding", "chunked");
    String body = headers.containsKey("Content-Length") ? "hello" : "5\r\nhello\r\n0\r\n\r\n";
    try (RawUpgrade upgrade = RawUpgrade.upgrade(from, port, "/ws?token=" + token("attack-body"), headers, body)) {
      return Integer.toString(upgrade.status());
    }
  }

  String foreignOrigin(String from) {
    try (RawUpgrade upgrade = RawUpgrade.upgrade(from, port, "/ws?token=" + token("attack-origin"),
        Map.of("Origin", "http://evil.example"))) {
      return Integer.toString(upgrade.status());
    }
  }

  String connectionHog(String from) {
    List<RawWebSocket> open = new ArrayList<>();
    int refused = 0;
    try {
      for (int i = 0; i < limits.maxConnectionsPerIp() + 5; i++) {
        RawWebSocket ws = RawWebSocket.connect(from, port, "/ws?token=" + token("attack-hog"), Map.of(), 0);
        if (ws.status() == 101) {
          ws.expect("connected");
          open.add(ws);
        } else if (ws.status() == 429) {
          refused++;
          ws.close();
        } else {
          ws.close();
          return "upgrade answered " + ws.status();
        }
      }
      return open.size() <= limits.maxConnectionsPerIp() && refused >= 5 ? "429 past the limit"
          : "accepted " + open.size() + ", refused " + refused;
    } finally {
      open.forEach(Attackers::closeNormally);
    }
  }

  // ---- sessions that misbehave ----

  String joinStorm(String from) {
    try (RawWebSocket ws = session(from, "attack-*")) {
      int sent = 50;
      for (int i = 0; i < sent; i++) {
        // mostly its own rooms; now and then an honest room its token does not cover
        String room = i % 10 == 9 ? "honest-1" : "attack-" + random.nextInt(40);
        ws.sendText(new JsonObject().put("type", "join-room").put("roomId", room));
      }
      joinsSent.addAndGet(sent);
      ws.sendText("{\"type\":\"ping\"}");
      int joined = 0;
      int refused = 0;
      while (true) {
        Frame frame = ws.readFrame();
        if (frame.opcode() == RawWebSocket.OP_CLOSE) {
          return "closed " + frame.closeCode() + " during a join storm";
        }
        JsonObject message = new JsonObject(frame.text());
        String type = message.getString("type");
        if ("pong".equals(type)) {
          break;
        } else if ("room-participants".equals(type)) {
          joined++;
        } else if ("error".equals(type) && "join-room".equals(message.getString("ref"))
            && Set.of("rate-limited", "forbidden", "room-full").contains(message.getString("code"))) {
          refused++;
        } else if (!Set.of("participant-joined", "participant-left", "peer-disconnected").contains(type)) {
          // (room events are fine: the other join storm shares these rooms)
          return "unexpected " + message.encode();
        }
      }
      closeNormally(ws);
      return joined + refused == sent && joined <= limits.joinBurst() + 1 ? "joins limited"
          : "joined " + joined + ", refused " + refused + " of " + sent;
    }
  }

  String spoofer(String from) {
    List<String> honest = honestIds;
    try (RawWebSocket ws = RawWebSocket.connect(from, port, "/ws?token=" + token("shared-lobby"), Map.of(), 0)) {
      spooferIds.add(ws.expect("connected").getString("clientId"));
      ws.sendText(new JsonObject().put("type", "join-room").put("roomId", "shared-lobby").put("name", "not a spoofer"));
      ws.expect("room-participants");
      int strangers = 0;
      for (String target : honest) {
        // posing as another honest client, and as the server
        JsonObject offer = new JsonObject().put("type", "offer").put("targetId", target).put("senderId", honest.get(1))
            .put("clientId", honest.get(1)).put("sdp", "v=0 spoofed");
        ws.sendText(offer);
        if (!target.equals(victimId)) {
          strangers++;
        }
      }
      ws.sendText("{\"type\":\"ping\"}");
      int unknownPeers = 0;
      while (true) {
        JsonObject message = new JsonObject(ws.readFrame().text());
        if ("pong".equals(message.getString("type"))) {
          break;
        }
        if ("error".equals(message.getString("type")) && "unknown-peer".equals(message.getString("code"))) {
          unknownPeers++;
        }
      }
      closeNormally(ws);
      return unknownPeers == strangers ? "unknown-peer for strangers" : unknownPeers + " unknown-peer for " + strangers;
    }
  }

  String resumeGuesser(String from) {
    List<RawWebSocket> guesses = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        guesses.add(RawWebSocket.connect(from, port, "/ws?token=" + token("attack-resume") + "&resume=" + guess(i),
            Map.of(), 0));
      }
      String outcome = "fresh sessions";
      for (RawWebSocket ws : guesses) {
        JsonObject first = new JsonObject(ws.readFrame().text());
        if ("connected".equals(first.getString("type"))) {
          if (first.getBoolean("resumed", false) || honestIds.contains(first.getString("clientId"))) {
            return "a guess resumed " + first.encode();
          }
          closeNormally(ws);
        } else if (!"rate-limited".equals(first.getString("code"))) {
          outcome = "answered " + first.encode();
        }
      }
      return outcome;
    } finally {
      guesses.forEach(RawWebSocket::close);
    }
  }

  String badRoomTokens(String from) {
    String[] tokens = {badToken(0), badToken(1), badToken(2), badToken(3)};
    List<RawWebSocket> attempts = new ArrayList<>();
    try {
      for (String token : tokens) {
        attempts.add(RawWebSocket.connect(from, port, "/ws?token=" + token, Map.of(), 0));
      }
      for (RawWebSocket ws : attempts) {
        String ending = ending(ws);
        if (!ending.equals("unauthorized+4001") && !ending.equals("rate-limited+1008")) {
          return ending;
        }
      }
      return "unauthorized+4001";
    } finally {
      attempts.forEach(RawWebSocket::close);
    }
  }

  String adminWithoutKey(String unused) {
    String[][] calls = {{"GET", "/admin/rooms", null}, {"GET", "/admin/nodes", "Bearer wrong-key"},
        {"DELETE", "/admin/rooms/shared-honest", "Bearer " + adminKey.substring(1)},
        {"POST", "/admin/nodes/x/drain", "Basic " + Base64.getEncoder().encodeToString(adminKey.getBytes())},
        {"DELETE", "/admin/rooms/honest-1/participants/" + (honestIds.isEmpty() ? "x" : honestIds.get(2)), adminKey}};
    for (String[] call : calls) {
      int status = admin(call[0], call[1], call[2]);
      if (status != 401) {
        return call[0] + " " + call[1] + " answered " + status;
      }
    }
    return "401";
  }

  /** An admin call with the given Authorization header (or none); its status. */
  int admin(String method, String path, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      // the cause goes into the message: the soak's summary shows outcomes by their message only
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    }
  }

  // ---- helpers ----

  private RawWebSocket session(String from, String room) {
    RawWebSocket ws = RawWebSocket.connect(from, port, "/ws?token=" + token(room), Map.of(), 0);
    if (ws.status() != 101) {
      ws.close();
      throw new IllegalStateException("upgrade from " + from + " answered " + ws.status());
    }
    ws.expect("connected");
    return ws;
  }

  private String token(String room) {
    return issuer.issue("attacker", room, null, Duration.ofMinutes(10), null);
  }

  /** Unknown resume tokens: random, a client id, a session token one character off. */
  private String guess(int kind) {
    List<String> tokens = honestTokens;
    if (kind == 1 && !honestIds.isEmpty()) {
      return honestIds.get(random.nextInt(honestIds.size()));
    }
    if (kind == 2 && !tokens.isEmpty()) {
      String near = tokens.get(random.nextInt(tokens.size()));
      return near.substring(0, near.length() - 1) + (near.endsWith("A") ? "B" : "A");
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private String badToken(int kind) {
    String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"sub\":\"x\",\"room\":\"*\",\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + "}").getBytes());
    return switch (kind) {
      case 0 -> "garbage." + random.nextInt();
      case 1 -> Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"nOnE\"}".getBytes()) + "." + claims + ".";
      case 2 -> new RoomTokenIssuer("another-secret-that-is-32-bytes-or-more".getBytes(StandardCharsets.UTF_8),
          Clock.systemUTC()).issue("x", "*", null, Duration.ofMinutes(5), null);
      default -> new RoomTokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.offset(Clock.systemUTC(), Duration.ofHours(-2)))
          .issue("x", "*", null, Duration.ofMinutes(5), null);
    };
  }


  /** Reads to the end: the codes of the errors and the close code ({@code reset} if none came). */
  static String ending(RawWebSocket ws) {
    StringBuilder errors = new StringBuilder();
    try {
      while (true) {
        Frame frame = ws.readFrame();
        if (frame.opcode() == RawWebSocket.OP_CLOSE) {
          return errors + "+" + frame.closeCode();
        }
        if (frame.opcode() == RawWebSocket.OP_TEXT) {
          JsonObject message = new JsonObject(frame.text());
          String code = message.getString("code");
          if ("error".equals(message.getString("type")) && !errors.toString().endsWith(code)) {
            errors.append(errors.length() == 0 ? "" : ",").append(code);
          }
        }
      }
    } catch (UncheckedIOException e) {
      return errors + (e.getCause() instanceof SocketTimeoutException ? "+no close within 10s" : "+reset");
    }
  }

  static void closeNormally(RawWebSocket ws) {
    try {
      ws.sendFrame(true, 0, RawWebSocket.OP_CLOSE, new byte[] {0x03, (byte) 0xE8});
      ws.awaitClose(Duration.ofSeconds(5));
    } catch (RuntimeException | AssertionError e) {
      // the node may already have closed it
    } finally {
      ws.close();
    }
  }

  private static byte[] deflated(int zeros) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(new byte[zeros]);
    deflater.finish();
    byte[] out = new byte[zeros / 100];
    int length = deflater.deflate(out);
    deflater.end();
    return java.util.Arrays.copyOf(out, length);
  }
}
