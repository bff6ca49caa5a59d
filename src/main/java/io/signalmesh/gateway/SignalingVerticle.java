package io.signalmesh.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.signalmesh.auth.RoomToken;
import io.signalmesh.auth.TokenRejectedException;
import io.signalmesh.config.AbuseLimits;
import io.signalmesh.config.SessionLimits;
import io.signalmesh.session.TokenBucket;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.protocol.CloseCodes;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.session.Session;
import io.signalmesh.signaling.ClientMessages;
import io.signalmesh.signaling.SessionLifecycle;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The public port: WebSocket signaling on {@code /ws} and {@code /}, and the web app. Several
 * instances share the port, one per event loop; each pings the connections it holds, a few at a
 * time ({@link PingSchedule}).
 */
public final class SignalingVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SignalingVerticle.class);

  private final HttpServerOptions options;
  private final SessionLifecycle lifecycle;
  private final ClientMessages messages;
  private final SessionLimits limits;
  private final Supplier<StaticHandler> webApp;
  private final BooleanSupplier accepting;
  private final Admission admission;
  private final SignalingMetrics metrics;
  private final AbuseLimits abuse;
  private final ConnectionCounter counter;
  private final AuthThrottle throttle;
  private final ServingGate gate;
  private final PingSchedule<WebSocketConnection> pings;
  /**
   * Connections that have not sent a request yet, by remote address, oldest first. One periodic
   * sweep closes those past their deadline, rather than a timer set and cancelled per connection.
   */
  private final LinkedHashMap<SocketAddress, AwaitingRequest> awaitingRequest = new LinkedHashMap<>();
  private HttpServer server;

  /**
   * @param accepting false while the node drains: upgrades are refused with 503
   * @param counter connections per client address, shared by the instances on the port
   * @param throttle slows token guessing per client address, shared by the instances on the port
   * @param serving whether the node may handle client messages now (see {@link ServingGate})
   * @param whenServing runs an action once it may again
   */
  public SignalingVerticle(HttpServerOptions options, SessionLifecycle lifecycle, ClientMessages messages,
      SessionLimits limits, AbuseLimits abuse, Admission admission, ConnectionCounter counter, AuthThrottle throttle,
      Supplier<StaticHandler> webApp, BooleanSupplier accepting, SignalingMetrics metrics, BooleanSupplier serving,
      java.util.function.Consumer<Runnable> whenServing) {
    this.gate = new ServingGate(serving, whenServing);
    this.metrics = metrics;
    this.admission = admission;
    this.options = options;
    this.lifecycle = lifecycle;
    this.messages = messages;
    this.limits = limits;
    this.abuse = abuse;
    this.counter = counter;
    this.throttle = throttle;
    this.webApp = webApp;
    this.accepting = accepting;
    this.pings = new PingSchedule<>(limits.pingInterval());
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(webApp.get());
    server = vertx.createHttpServer(options)
        .connectionHandler(this::onConnection)
        .webSocketHandshakeHandler(this::onHandshake)
        .webSocketHandler(this::onWebSocket)
        .requestHandler(request -> {
          requestArrived(request.remoteAddress());
          router.handle(request);
        });
    vertx.setPeriodic(PingSchedule.tickMillis(limits.pingInterval()), id -> pings.tick(WebSocketConnection::ping));
    long handshakeMillis = abuse.handshakeTimeout().toMillis();
    // a connection is closed between the timeout and a quarter of it (at most a second) later
    vertx.setPeriodic(Math.max(10, Math.min(1000, handshakeMillis / 4)), id -> closeSilentConnections(System.nanoTime()));
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  /**
   * Slowloris: a connection must send a whole request (the upgrade, or a page request) within
   * the handshake timeout, or it is closed. After its first request the idle timeout takes over.
   */
  private void onConnection(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    // a reused address goes to the end, keeping the deadlines in order
    awaitingRequest.remove(remote);
    awaitingRequest.put(remote, new AwaitingRequest(connection, System.nanoTime() + abuse.handshakeTimeout().toNanos()));
    connection.closeHandler(ignored -> requestArrived(remote));
  }

  private void requestArrived(SocketAddress remote) {
    awaitingRequest.remove(remote);
  }

  /** Deadlines grow in the map's order (each is the same timeout after its insertion): stop at the first one not due. */
  private void closeSilentConnections(long now) {
    Iterator<AwaitingRequest> oldestFirst = awaitingRequest.values().iterator();
    while (oldestFirst.hasNext()) {
      AwaitingRequest waiting = oldestFirst.next();
      if (waiting.deadlineNanos() - now > 0) {
        return;
      }
      oldestFirst.remove();
      LOG.atWarn().addKeyValue("remote", String.valueOf(waiting.connection().remoteAddress()))
          .log("closing connection: no request within the handshake timeout");
      waiting.connection().close();
    }
  }

  /** A connection that has sent no request yet, and when it must have. */
  private record AwaitingRequest(HttpConnection connection, long deadlineNanos) {}

  private void onHandshake(ServerWebSocketHandshake handshake) {
    requestArrived(handshake.remoteAddress());
    String path = handshake.path();
    if (!"/ws".equals(path) && !"/".equals(path)) {
      handshake.reject(404);
    } else if (!accepting.getAsBoolean()) {
      handshake.reject(503);
    } else if (hasBody(handshake.headers())) {
      refuseHandshake(handshake, 400, "upgrade request with a body");
    } else if (!originAllowed(handshake.headers().get(HttpHeaders.ORIGIN))) {
      refuseHandshake(handshake, 403, "origin not allowed: " + handshake.headers().get(HttpHeaders.ORIGIN));
    } else {
      String client = ClientAddress.of(handshake.remoteAddress(), handshake.headers(), abuse.trustedProxies());
      if (!counter.tryAcquire(client)) {
        refuseHandshake(handshake, 429, "more than " + abuse.maxConnectionsPerIp() + " connections from " + client);
        return;
      }
      handshake.accept().onFailure(failed -> counter.release(client));
    }
  }

  private void refuseHandshake(ServerWebSocketHandshake handshake, int status, String why) {
    LOG.atWarn().addKeyValue("remote", String.valueOf(handshake.remoteAddress())).addKeyValue("status", status)
        .log("upgrade refused: " + why);
    handshake.reject(status);
  }

  /** An upgrade carries no body; one that announces a body is request smuggling or a slow upload. */
  private static boolean hasBody(MultiMap headers) {
    if (headers.contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    String length = headers.get(HttpHeaders.CONTENT_LENGTH);
    return length != null && !"0".equals(length.trim());
  }

  /** Cross-site WebSocket hijacking: a browser always sends Origin; clients that are not browsers send none. */
  private boolean originAllowed(String origin) {
    return origin == null || abuse.anyOrigin() || abuse.allowedOrigins().contains(origin.toLowerCase(Locale.ROOT));
  }

  private void onWebSocket(ServerWebSocket socket) {
    String client = ClientAddress.of(socket.remoteAddress(), socket.headers(), abuse.trustedProxies());
    WebSocketConnection connection = new WebSocketConnection(socket, limits, metrics, () -> counter.release(client));
    String resumeToken = queryParameter(socket.query(), "resume");
    boolean carriesToken = resumeToken != null || admission.tokenMode();
    long wait = carriesToken ? throttle.reserve(client, System.nanoTime()) : 0;
    if (wait == AuthThrottle.TOO_MANY) {
      connection.refuse(ErrorCode.RATE_LIMITED, "too many failed attempts from this address: try again later",
          CloseCodes.POLICY_VIOLATION);
      return;
    }
    if (wait == 0) {
      admit(socket, connection, client, resumeToken);
      return;
    }
    // the attempt is looked at only after the wait: a guess from a failing address gets no answer sooner
    socket.pause();
    vertx.setTimer(wait, id -> {
      if (socket.isClosed()) {
        return;
      }
      admit(socket, connection, client, resumeToken);
    });
  }

  private void admit(ServerWebSocket socket, WebSocketConnection connection, String client, String resumeToken) {
    RoomToken grant;
    try {
      grant = lifecycle.canResume(resumeToken) ? null : admission.grantFor(queryParameter(socket.query(), "token"));
    } catch (TokenRejectedException e) {
      throttle.failed(client, System.nanoTime());
      connection.refuse(ErrorCode.UNAUTHORIZED, e.getMessage(), CloseCodes.UNAUTHORIZED);
      return;
    }
    pings.add(connection);
    // a resume may take a round trip to another node: hold the client's messages until then
    socket.pause();
    lifecycle.open(connection, resumeToken, grant).onComplete(opened -> {
      if (opened.failed()) {
        pings.remove(connection);
        connection.refuse(ErrorCode.INTERNAL, "session could not be opened", CloseCodes.GOING_AWAY);
        return;
      }
      Session session = opened.result();
      if (resumeToken != null && !resumeToken.equals(session.sessionToken())) {
        // an unknown or stale resume token: the next attempt from this address waits
        throttle.failed(client, System.nanoTime());
      }
      connection.identify(session.id().value());
      TokenBucket joins = new TokenBucket(abuse.joinRatePerSecond(), abuse.joinBurst(), System.nanoTime());
      connection.start(
          gate.guard(socket, context, (byte[] utf8) -> messages.handle(session, utf8, joins)),
          () -> {
            pings.remove(connection);
            lifecycle.closed(session, connection, connection.closedFinally());
          });
      socket.resume();
    });
  }

  private static String queryParameter(String query, String name) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    Map<String, List<String>> parameters = new QueryStringDecoder(query, false).parameters();
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
