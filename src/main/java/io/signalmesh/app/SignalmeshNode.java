package io.signalmesh.app;

import io.signalmesh.auth.IceServers;
import io.signalmesh.auth.RoomTokenVerifier;
import io.signalmesh.auth.TurnCredentials;
import io.signalmesh.config.ConfigException;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.gateway.Admission;
import io.signalmesh.gateway.ManagementVerticle;
import io.signalmesh.gateway.SignalingVerticle;
import io.signalmesh.presence.InMemoryPresenceStore;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.protocol.CloseCodes;
import io.signalmesh.protocol.EnvelopeParser;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.routing.MeshRouter;
import io.signalmesh.routing.NodeInbox;
import io.signalmesh.routing.RoomViews;
import io.signalmesh.session.Connection;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import io.signalmesh.session.SessionTokens;
import io.signalmesh.signaling.ClientMessages;
import io.signalmesh.signaling.RoomAccess;
import io.signalmesh.signaling.RoomMembership;
import io.signalmesh.signaling.SessionLifecycle;
import io.signalmesh.signaling.TokenRoomAccess;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the one place that builds Vert.x, the stores and the verticles from a
 * {@link ServerConfig}, and takes them down again (drain, then close).
 */
public final class SignalmeshNode {

  private static final Logger LOG = LoggerFactory.getLogger(SignalmeshNode.class);

  private final Vertx vertx;
  private final ServerConfig config;
  private final SessionRegistry sessions;
  private final PresenceStore presence;
  private final AtomicBoolean draining;
  private final int port;
  private final int managementPort;

  private SignalmeshNode(Vertx vertx, ServerConfig config, SessionRegistry sessions, PresenceStore presence,
      AtomicBoolean draining, int port, int managementPort) {
    this.vertx = vertx;
    this.config = config;
    this.sessions = sessions;
    this.presence = presence;
    this.draining = draining;
    this.port = port;
    this.managementPort = managementPort;
  }

  /** Starts a node; fails (with everything started so far closed again) if any part cannot start. */
  public static Future<SignalmeshNode> start(ServerConfig config) {
    if (config.cluster().enabled()) {
      return Future.failedFuture(new ConfigException("--cluster", "clustering is not available in this build yet"));
    }
    Vertx vertx = Vertx.vertx();
    return wire(vertx, config).onFailure(failure -> vertx.close());
  }

  private static Future<SignalmeshNode> wire(Vertx vertx, ServerConfig config) {
    String nodeId = config.nodeId();
    Clock clock = Clock.systemUTC();
    SessionRegistry sessions = new SessionRegistry();
    PresenceStore presence = new InMemoryPresenceStore();
    RoomViews views = new RoomViews(nodeId);
    NodeInbox inbox = new NodeInbox(vertx.eventBus(), nodeId);
    MeshRouter router = new MeshRouter(nodeId, sessions, views, inbox);
    RoomMembership membership = new RoomMembership(presence, views, router, clock);
    IceServers iceServers = iceServers(config, clock);
    SessionLifecycle lifecycle = new SessionLifecycle(vertx, sessions, new SessionTokens(), membership,
        iceServers::forClient, config.limits().resumeGrace(), config.limits().resumeInboxMessages());
    RoomAccess access = config.tokenSecret() == null ? RoomAccess.open() : new TokenRoomAccess();
    Admission admission = new Admission(config.tokenSecret() == null ? null
        : new RoomTokenVerifier(config.tokenSecret().getBytes(StandardCharsets.UTF_8), clock, Duration.ofSeconds(30)));
    ClientMessages messages = new ClientMessages(new EnvelopeParser(config.limits().fieldLimits()), router,
        membership, access, config.limits());
    AtomicBoolean draining = new AtomicBoolean();
    ServerOptionsFactory options = new ServerOptionsFactory(config);
    AtomicInteger boundPort = new AtomicInteger(config.port());
    ManagementVerticle management = new ManagementVerticle(options.management(),
        () -> Future.succeededFuture(new JsonObject().put("ready", !draining.get()).put("draining", draining.get())
            .put("node", nodeId)),
        extraRoutes -> { });
    vertx.setPeriodic(30_000, id -> views.sweep());
    return inbox.register(views, (target, frame) -> router.deliverLocal(target, frame))
        .compose(ignored -> vertx.executeBlocking(() -> FreePort.resolve(config.host(), config.port())))
        .compose(port -> {
          boundPort.set(port);
          return vertx.deployVerticle(() -> new SignalingVerticle(options.signaling(port), lifecycle, messages,
                  config.limits(), admission, () -> WebApp.staticHandler(config.webRoot()), () -> !draining.get()),
              new DeploymentOptions().setInstances(eventLoopInstances()));
        })
        .compose(ignored -> vertx.deployVerticle(management))
        .map(ignored -> new SignalmeshNode(vertx, config, sessions, presence, draining,
            boundPort.get(), management.actualPort()));
  }

  private static IceServers iceServers(ServerConfig config, Clock clock) {
    ServerConfig.IceConfig ice = config.ice();
    try {
      return IceServers.builder()
          .stunUrls(ice.stunUrls())
          .turnUrls(ice.turnUrls())
          .turnCredentials(ice.turnSecret() == null ? null
              : new TurnCredentials(ice.turnSecret().getBytes(StandardCharsets.UTF_8), ice.turnCredentialTtl(), clock))
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--stun-urls/--turn-urls", e.getMessage());
    }
  }

  private static int eventLoopInstances() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  public String nodeId() {
    return config.nodeId();
  }

  /** The signaling port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  public int sessionCount() {
    return sessions.size();
  }

  /**
   * Drains, then stops: readiness turns false and new connections are refused; every client
   * gets {@code reconnect} and a 1012 close so it resumes on another node; the node waits until
   * its connections are gone or the drain timeout passes, then closes.
   */
  public Future<Void> drainAndStop() {
    if (!draining.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    int connected = 0;
    for (Session session : sessions.all()) {
      Connection connection = session.connection();
      if (connection != null) {
        connected++;
        connection.send(ServerMessages.reconnect("draining"));
        connection.close(CloseCodes.SERVICE_RESTART, "draining");
      }
    }
    LOG.atInfo().addKeyValue("node", config.nodeId()).addKeyValue("connections", connected).log("draining");
    Promise<Void> drained = Promise.promise();
    long deadline = System.nanoTime() + config.drainTimeout().toNanos();
    waitForConnections(drained, deadline);
    return drained.future()
        .eventually(() -> presence.close())
        .eventually(() -> vertx.close())
        .onComplete(done -> LOG.atInfo().addKeyValue("node", config.nodeId()).log("stopped"));
  }

  private void waitForConnections(Promise<Void> drained, long deadline) {
    boolean anyConnected = sessions.all().stream().anyMatch(s -> s.connection() != null);
    if (!anyConnected || System.nanoTime() - deadline >= 0) {
      drained.complete();
      return;
    }
    vertx.setTimer(50, id -> waitForConnections(drained, deadline));
  }
}
