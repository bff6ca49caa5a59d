package io.signalmesh.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.signalmesh.auth.RoomToken;
import io.signalmesh.auth.TokenRejectedException;
import io.signalmesh.config.SessionLimits;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The public port: WebSocket signaling on {@code /ws} and {@code /}, and the web app. Several
 * instances share the port, one per event loop; each pings the connections it holds.
 */
public final class SignalingVerticle extends VerticleBase {

  private final HttpServerOptions options;
  private final SessionLifecycle lifecycle;
  private final ClientMessages messages;
  private final SessionLimits limits;
  private final Supplier<StaticHandler> webApp;
  private final BooleanSupplier accepting;
  private final Admission admission;
  private final SignalingMetrics metrics;
  private final Set<WebSocketConnection> connections = new HashSet<>();
  private HttpServer server;

  /**
   * @param accepting false while the node drains: upgrades are refused with 503
   */
  public SignalingVerticle(HttpServerOptions options, SessionLifecycle lifecycle, ClientMessages messages,
      SessionLimits limits, Admission admission, Supplier<StaticHandler> webApp, BooleanSupplier accepting,
      SignalingMetrics metrics) {
    this.metrics = metrics;
    this.admission = admission;
    this.options = options;
    this.lifecycle = lifecycle;
    this.messages = messages;
    this.limits = limits;
    this.webApp = webApp;
    this.accepting = accepting;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(webApp.get());
    server = vertx.createHttpServer(options)
        .webSocketHandshakeHandler(this::onHandshake)
        .webSocketHandler(this::onWebSocket)
        .requestHandler(router);
    vertx.setPeriodic(limits.pingInterval().toMillis(), id -> connections.forEach(WebSocketConnection::ping));
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void onHandshake(ServerWebSocketHandshake handshake) {
    String path = handshake.path();
    if (!"/ws".equals(path) && !"/".equals(path)) {
      handshake.reject(404);
    } else if (!accepting.getAsBoolean()) {
      handshake.reject(503);
    } else {
      handshake.accept();
    }
  }

  private void onWebSocket(ServerWebSocket socket) {
    WebSocketConnection connection = new WebSocketConnection(socket, limits, metrics);
    String resumeToken = queryParameter(socket.query(), "resume");
    RoomToken grant;
    try {
      grant = lifecycle.canResume(resumeToken) ? null : admission.grantFor(queryParameter(socket.query(), "token"));
    } catch (TokenRejectedException e) {
      connection.refuse(ErrorCode.UNAUTHORIZED, e.getMessage(), CloseCodes.UNAUTHORIZED);
      return;
    }
    connections.add(connection);
    // a resume may take a round trip to another node: hold the client's messages until then
    socket.pause();
    lifecycle.open(connection, resumeToken, grant).onComplete(opened -> {
      if (opened.failed()) {
        connections.remove(connection);
        connection.refuse(ErrorCode.INTERNAL, "session could not be opened", CloseCodes.GOING_AWAY);
        return;
      }
      Session session = opened.result();
      connection.identify(session.id().value());
      connection.start(
          text -> messages.handle(session, text),
          () -> {
            connections.remove(connection);
            lifecycle.closed(session, connection, connection.closedFinally());
          });
      socket.resume();
      if (socket.isClosed()) {
        connections.remove(connection);
        lifecycle.closed(session, connection, false);
      }
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
