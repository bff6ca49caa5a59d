package io.signalmesh.admin;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin API's door: with {@code --admin-key}, every call needs
 * {@code Authorization: Bearer <key>} (compared in constant time); without one, the API
 * answers only on a loopback management address (operator-contract.md).
 */
public final class AdminAuth implements Handler<RoutingContext> {

  private final byte[] key;

  /** @param adminKey the bearer key, or null when the management port is loopback only */
  public AdminAuth(String adminKey) {
    this.key = adminKey == null ? null : adminKey.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (key == null) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    byte[] given = header != null && header.startsWith("Bearer ")
        ? header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8)
        : new byte[0];
    if (!MessageDigest.isEqual(key, given)) {
      ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
          .putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", "unauthorized").put("message", "a valid admin bearer key is required").encode());
      return;
    }
    ctx.next();
  }
}
