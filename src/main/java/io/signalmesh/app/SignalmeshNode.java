package io.signalmesh.app;

import io.signalmesh.auth.IceServers;
import io.signalmesh.auth.RoomTokenVerifier;
import io.signalmesh.auth.TurnCredentials;
import io.signalmesh.config.AbuseLimits;
import io.signalmesh.config.ConfigException;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.gateway.Admission;
import io.signalmesh.gateway.AuthThrottle;
import io.signalmesh.gateway.ConnectionCounter;
import io.signalmesh.gateway.ManagementVerticle;
import io.signalmesh.gateway.SignalingVerticle;
import io.signalmesh.admin.AdminApi;
import io.signalmesh.admin.AdminAuth;
import io.signalmesh.admin.NodeCommands;
import io.signalmesh.cluster.ClusterIsolation;
import io.signalmesh.cluster.ClusteredVertx;
import io.signalmesh.cluster.LivenessJudge;
import io.signalmesh.cluster.MeshRejoin;
import io.signalmesh.cluster.NodeLease;
import io.signalmesh.metrics.SignalingMetrics;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.signalmesh.cluster.NodeLiveness;
import io.signalmesh.cluster.NodeReaper;
import io.signalmesh.cluster.PresenceReassertion;
import io.signalmesh.cluster.SessionsGiveUp;
import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.routing.ParkedFrames;
import io.signalmesh.routing.SessionForwards;
import io.signalmesh.signaling.SessionRecords;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.presence.RedisPresenceKeys;
import io.signalmesh.protocol.CloseCodes;
import io.signalmesh.protocol.EnvelopeParser;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.routing.MeshRouter;
import io.signalmesh.routing.NodeInbox;
import io.signalmesh.routing.RoomViews;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.Connection;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import io.signalmesh.session.SessionTokens;
import io.signalmesh.signaling.ClientMessages;
import io.signalmesh.signaling.RoomAccess;
import io.signalmesh.signaling.RoomMembership;
import io.signalmesh.signaling.SessionLifecycle;
import io.signalmesh.signaling.TokenExpiry;
import io.signalmesh.signaling.TokenRoomAccess;
import io.signalmesh.webhook.WebhookEvents;
import io.signalmesh.webhook.Webhooks;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the one place that builds Vert.x, the stores and the verticles from a
 * {@link ServerConfig}, and takes them down again (drain, then close).
 */
public final class SignalmeshNode {

  private static final Logger LOG = LoggerFactory.getLogger(SignalmeshNode.class);

  /** What a running node holds on to in order to stop. */
  private record Parts(Vertx vertx, ServerConfig config, SessionRegistry sessions, PresenceStore presence,
      NodeDirectory directory, NodeInbox inbox, NodeLiveness liveness, NodeReaper reaper, Drainer drainer,
      ClusterIsolation isolation, AtomicReference<String> webhookDeployment) {}

  private final Parts parts;
  private Future<Void> stopped;
  private final int port;
  private final int managementPort;

  private SignalmeshNode(Parts parts, int port, int managementPort) {
    this.parts = parts;
    this.port = port;
    this.managementPort = managementPort;
  }

  /** Starts a node; fails (with everything started so far closed again) if any part cannot start. */
  public static Future<SignalmeshNode> start(ServerConfig config) {
    // a registry per node, so that nodes sharing a JVM (tests) keep their counts apart
    String registryName = "signalmesh-" + config.nodeId() + "-" + System.nanoTime();
    VertxOptions options = new VertxOptions()
        // epoll where the platform has it (Linux x86_64 in the jar), NIO elsewhere: docs/benchmarks.md
        .setPreferNativeTransport(true)
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true).setRegistryName(registryName)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true)));
    // the signaling loops are the whole pool: the event bus's connections, the inbox and management
    // share them. A loop of their own cost a hand-off (and a wake-up) per frame crossing to or from
    // another node; with one signaling loop nothing changes loops at all (docs/benchmarks.md)
    options.setEventLoopPoolSize(config.signalingEventLoops());
    Future<Vertx> vertx = config.cluster().enabled()
        ? ClusteredVertx.start(config.cluster(), options)
        : Future.succeededFuture(Vertx.vertx(options));
    return vertx.compose(v -> wire(v, config, registryName).onFailure(failure -> v.close()));
  }

  private static Future<SignalmeshNode> wire(Vertx vertx, ServerConfig config, String registryName) {
    String nodeId = config.nodeId();
    Clock clock = Clock.systemUTC();
    SignalingMetrics metrics = SignalingMetrics.forNode(BackendRegistries.getNow(registryName));
    LOG.atInfo().addKeyValue("transport", vertx.isNativeTransportEnabled() ? "epoll" : "nio")
        .addKeyValue("signalingEventLoops", config.signalingEventLoops()).log("network");
    RedisPresenceKeys keys = new RedisPresenceKeys(config.redisKeyPrefix());
    Webhooks webhooks = Webhooks.from(config.webhooks(), keys);
    WebhookEvents events = webhooks.events(clock);
    Backends backends = Backends.create(vertx, config, keys, metrics, webhooks);
    PresenceStore presence = backends.presence();
    NodeDirectory directory = backends.directory();
    SessionRegistry sessions = new SessionRegistry();
    RoomViews views = new RoomViews(nodeId);
    Duration parkedTtl = config.limits().resumeGrace().plusSeconds(NodeLiveness.TTL.toSeconds() + 10);
    ParkedFrames parked = new ParkedFrames(directory, config.limits().resumeInboxMessages(), parkedTtl);
    NodeLease lease = new NodeLease();
    NodeInbox inbox = new NodeInbox(vertx, nodeId, parked, lease::serving, lease::whenServing);
    SessionForwards forwards = new SessionForwards(Duration.ofSeconds(60));
    MeshRouter router = new MeshRouter(nodeId, sessions, views, inbox, forwards);
    SessionRecords records = new SessionRecords(directory, nodeId);
    RoomMembership membership = new RoomMembership(presence, views, router, clock, records, events);
    IceServers iceServers = iceServers(config, clock);
    SessionLifecycle lifecycle = new SessionLifecycle(vertx, sessions, new SessionTokens(), membership,
        iceServers::encodedFor, config.limits().resumeGrace(), config.limits().resumeInboxMessages(),
        new TokenExpiry(vertx, config.tokenLeeway(), clock),
        new SessionLifecycle.Mesh(nodeId, directory, inbox, parked, forwards, records, metrics));
    RoomAccess access = config.tokenSecret() == null ? RoomAccess.open() : new TokenRoomAccess();
    Admission admission = new Admission(config.tokenSecret() == null ? null
        : new RoomTokenVerifier(config.tokenSecret().getBytes(StandardCharsets.UTF_8), clock, config.tokenLeeway()));
    ClientMessages messages = new ClientMessages(new EnvelopeParser(config.limits().fieldLimits()), router,
        membership, access, config.limits(), metrics);
    LivenessJudge judge = new LivenessJudge(directory, nodeId, System::nanoTime);
    NodeReaper reaper = new NodeReaper(vertx, nodeId, directory, judge, presence, inbox, router,
        config.limits().resumeGrace(), metrics, events);
    SessionsGiveUp giveUp = new SessionsGiveUp(nodeId, sessions, presence, reaper, lifecycle::releaseAll);
    ClusterIsolation isolation = new ClusterIsolation(vertx, nodeId, directory, judge, () -> ClusteredVertx.members(vertx),
        config.limits().resumeGrace(), giveUp);
    NodeLiveness liveness = new NodeLiveness(vertx, directory, nodeId,
        new PresenceReassertion(nodeId, sessions, views, presence, records, forwards, giveUp::pending)::run, lease,
        judge);
    MeshRejoin rejoin = new MeshRejoin(vertx, nodeId, directory, presence, reaper, liveness, lease,
        config.limits().resumeGrace(), () -> fence(nodeId, inbox, giveUp, views), giveUp);
    Drainer drainer = new Drainer(nodeId, sessions);
    AtomicInteger boundPort = new AtomicInteger(config.port());
    NodeCommands commands = new NodeCommands(nodeId, () -> config.host() + ":" + boundPort.get(), sessions, views,
        membership, drainer::draining, drainer::drain, () -> new JsonObject()
            .put("clusterMembers", ClusteredVertx.members(vertx)).put("unconfirmedFrames", inbox.unconfirmed()));
    ServerOptionsFactory options = new ServerOptionsFactory(config);
    ManagementVerticle management = new ManagementVerticle(options.management(),
        () -> Future.succeededFuture(readiness(nodeId, drainer.draining(), directory.healthy(), isolation.state(),
            lease.fenced())),
        managementRoutes -> {
          // rendering every meter takes milliseconds: on a worker, not on the signaling loop the port shares
          managementRoutes.get("/metrics").blockingHandler(PrometheusScrapingHandler.create(registryName));
          mountAdmin(managementRoutes, config, presence, directory, inbox);
        });
    metrics.gauge("signalmesh.connections", "Open client WebSockets",
        () -> sessions.all().stream().filter(s -> s.connection() != null).count());
    metrics.gauge("signalmesh.sessions", "Sessions held, connected or waiting for a resume", sessions::size);
    metrics.gauge("signalmesh.rooms", "Rooms with a member on this node", views::size);
    metrics.gauge("signalmesh.ready",
        "1 while the node takes new clients (not draining, presence reachable, in the mesh and not fenced)",
        () -> !drainer.draining() && directory.healthy() && !isolation.isolated() && !lease.fenced() ? 1 : 0);
    metrics.gauge("signalmesh.draining", "1 while the node drains", () -> drainer.draining() ? 1 : 0);
    metrics.gauge("signalmesh.mesh.unconfirmed", "Frames sent to other nodes and not confirmed by them yet",
        inbox::unconfirmed);
    metrics.counter("signalmesh.mesh.given.up", "Frames a live node did not confirm in time; relay senders got an error",
        inbox, NodeInbox::givenUp);
    metrics.gauge("signalmesh.room.participants", "Memberships of this node's sessions",
        () -> sessions.all().stream().mapToInt(s -> s.rooms().size()).sum());
    ConnectionCounter connectionCounter = new ConnectionCounter(config.abuse().maxConnectionsPerIp());
    AuthThrottle authThrottle = new AuthThrottle(config.abuse().authFailureDelay(), config.abuse().authFailureMaxDelay(),
        AbuseLimits.AUTH_FAILURE_MEMORY);
    vertx.setPeriodic(30_000, id -> {
      views.sweep();
      forwards.sweep();
      authThrottle.sweep(System.nanoTime());
    });
    Parts parts = new Parts(vertx, config, sessions, presence, directory, inbox, liveness, reaper, drainer, isolation,
        new AtomicReference<>());
    return rejoin.declareEarlierRun()
        .compose(earlierRun -> inbox.register(views, (target, frame) -> deliverFromInbox(router, target, frame),
            lifecycle::handOver, commands).map(earlierRun))
        .compose(rejoin::atStart)
        .compose(ignored -> !webhooks.enabled() ? Future.<Void>succeededFuture()
            : vertx.deployVerticle(webhooks.verticle(backends.outbox(), BackendRegistries.getNow(registryName)))
                .onSuccess(parts.webhookDeployment()::set).<Void>mapEmpty())
        .compose(ignored -> {
          reaper.start();
          isolation.start();
          Supplier<Future<String>> deploySignaling = () -> vertx.executeBlocking(() -> FreePort.resolve(config.host(), config.port()))
              .compose(port -> {
                boundPort.set(port);
                return vertx.deployVerticle(() -> new SignalingVerticle(options.signaling(port), lifecycle, messages,
                        config.limits(), config.abuse(), admission, connectionCounter, authThrottle,
                        () -> WebApp.staticHandler(config.webRoot()),
                        () -> !drainer.draining() && !isolation.isolated() && !lease.fenced(), metrics,
                        lease::serving, lease::whenServing),
                    new DeploymentOptions().setInstances(config.signalingEventLoops()));
              });
          // a port picked for "any" can be taken before it is bound: pick another, a few times
          return config.port() == 0 ? retryOnBindFailure(deploySignaling, 3) : deploySignaling.get();
        })
        .compose(ignored -> vertx.deployVerticle(management))
        .map(ignored -> new SignalmeshNode(parts, boundPort.get(), management.actualPort()));
  }

  /**
   * The admin API: behind the bearer key, or without one only where the management port is
   * reachable from this host alone (operator-contract.md).
   */
  private static void mountAdmin(io.vertx.ext.web.Router router, ServerConfig config, PresenceStore presence,
      NodeDirectory directory, NodeInbox inbox) {
    if (config.adminKey() == null && !isLoopback(config.managementHost())) {
      LOG.atWarn().addKeyValue("managementHost", config.managementHost())
          .log("admin API off: set --admin-key to serve it on a non-loopback management address");
      return;
    }
    new AdminApi(config.nodeId(), presence, directory, inbox, new AdminAuth(config.adminKey())).mount(router);
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static boolean deliverFromInbox(MeshRouter router, ClientId target, byte[] frame) {
    if (router.deliverLocal(target, frame) == Session.Delivery.REFUSED) {
      LOG.atInfo().addKeyValue("clientId", target).log("frame from another node not taken: client gone or its resume queue is full");
      return false;
    }
    return true;
  }

  private static <T> Future<T> retryOnBindFailure(Supplier<Future<T>> attempt, int attemptsLeft) {
    return attempt.get().recover(failure -> attemptsLeft > 1 && failure instanceof java.net.BindException
        ? retryOnBindFailure(attempt, attemptsLeft - 1)
        : Future.<T>failedFuture(failure));
  }

  /**
   * The mesh declared this node dead while it was paused: it gives up everything it served (its
   * clients reconnect and resume elsewhere, or here once it rejoined) and forgets its room views
   * and what other nodes sent it meanwhile, all of which the others parked or will reap.
   */
  private static void fence(String nodeId, NodeInbox inbox, SessionsGiveUp giveUp, RoomViews views) {
    inbox.dropHeld();
    int released = giveUp.giveUp(SessionsGiveUp.REJOINING);
    views.clear();
    LOG.atWarn().addKeyValue("node", nodeId).addKeyValue("sessions", released)
        .log("fenced: every client told to reconnect, room views dropped");
  }

  private static JsonObject readiness(String nodeId, boolean draining, boolean presenceHealthy,
      ClusterIsolation.State cluster, boolean fenced) {
    return new JsonObject()
        .put("ready", !draining && presenceHealthy && cluster == ClusterIsolation.State.JOINED && !fenced)
        .put("node", nodeId)
        .put("draining", draining)
        .put("presence", presenceHealthy ? "UP" : "DOWN")
        // fenced: declared dead while paused, rejoining as a new run (docs/reliability.md, Pauses)
        .put("cluster", fenced ? "fenced" : cluster.name().replace('_', '-'));
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

  public String nodeId() {
    return parts.config().nodeId();
  }

  /** The signaling port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return port;
  }

  public int managementPort() {
    return managementPort;
  }

  /**
   * Drains, then stops: readiness turns false and new connections are refused; every client
   * gets {@code reconnect} and a 1012 close so it resumes on another node; the node waits until
   * its sessions have moved (one node alone: until its connections are closed) or the drain
   * timeout passes, then leaves the cluster and closes.
   */
  public Future<Void> drainAndStop() {
    return drainAndStop(false);
  }

  /**
   * {@link #drainAndStop()}, and before it closes, takes this node out of presence as a reaper
   * would (its memberships, its sessions' records, its place among the nodes; its liveness key
   * expires on its own). For a node that no other node would reap: a warm-up in a key prefix of
   * its own, which must leave nothing behind in the operator's Redis.
   */
  public Future<Void> drainForgetAndStop() {
    return drainAndStop(true);
  }

  private synchronized Future<Void> drainAndStop(boolean forget) {
    if (stopped != null) {
      return stopped;
    }
    parts.drainer().drain();
    Promise<Void> drained = Promise.promise();
    waitForSessions(drained, System.nanoTime() + parts.config().drainTimeout().toNanos());
    stopped = drained.future()
        .eventually(() -> {
          parts.liveness().stop();
          parts.reaper().stop();
          parts.isolation().stop();
          return parts.inbox().unregister();
        })
        .eventually(() -> forget ? forgetPresence() : Future.succeededFuture())
        .eventually(() -> {
          String webhooks = parts.webhookDeployment().get();
          return webhooks == null ? Future.succeededFuture() : parts.vertx().undeploy(webhooks);
        })
        .eventually(() -> parts.presence().close())
        .eventually(() -> parts.vertx().close())
        .onComplete(done -> LOG.atInfo().addKeyValue("node", nodeId())
            .addKeyValue("sessionsLeft", parts.sessions().size()).log("stopped"));
    return stopped;
  }

  private Future<Void> forgetPresence() {
    String nodeId = nodeId();
    return parts.reaper().removeMembers(nodeId)
        .compose(removed -> parts.directory().forgetNode(nodeId))
        .onFailure(e -> LOG.atWarn().addKeyValue("node", nodeId).setCause(e).log("could not forget the node's presence"));
  }

  private void waitForSessions(Promise<Void> drained, long deadline) {
    boolean clustered = parts.config().cluster().enabled();
    boolean waiting = clustered
        ? parts.sessions().size() > 0
        : parts.sessions().all().stream().anyMatch(s -> s.connection() != null);
    if (!waiting || System.nanoTime() - deadline >= 0) {
      drained.complete();
      return;
    }
    parts.vertx().setTimer(50, id -> waitForSessions(drained, deadline));
  }
}
