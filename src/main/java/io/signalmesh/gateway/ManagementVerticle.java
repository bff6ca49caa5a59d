package io.signalmesh.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The management port (loopback by default): liveness and readiness for the orchestrator.
 * Readiness and liveness are deliberately different questions: a backing service outage makes
 * a node not ready, never not live (else every node would be restarted at once).
 */
public final class ManagementVerticle extends VerticleBase {

  private final HttpServerOptions options;
  private final Supplier<Future<JsonObject>> readiness;
  private final Consumer<Router> extraRoutes;
  private HttpServer server;

  /**
   * @param readiness completes with {@code {"ready": bool, ...details}}
   * @param extraRoutes adds further management routes (admin, metrics)
   */
  public ManagementVerticle(HttpServerOptions options, Supplier<Future<JsonObject>> readiness, Consumer<Router> extraRoutes) {
    this.options = options;
    this.readiness = readiness;
    this.extraRoutes = extraRoutes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
    extraRoutes.accept(router);
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen();
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void ready(RoutingContext ctx) {
    readiness.get()
        .onSuccess(state -> json(ctx, state.getBoolean("ready", false) ? 200 : 503,
            state.copy().put("status", state.getBoolean("ready", false) ? "UP" : "DOWN")))
        .onFailure(failure -> json(ctx, 503, new JsonObject().put("status", "DOWN").put("error", failure.getMessage())));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
