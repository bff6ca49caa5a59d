package io.signalmesh.gateway;

import io.netty.channel.ChannelHandler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the HTTP/1.1 connection of a WebSocket upgrade be collected once the WebSocket is up.
 *
 * <p>Vert.x 5.0.7 puts the WebSocket's handler into the channel pipeline with the function that
 * made its connection, and keeps that function for the channel's life although it is only called
 * once, when the handler is added. The function holds the upgrade's handshake, request and
 * response and the whole HTTP/1.1 connection: about 2.3 KB of live heap for every idle
 * WebSocket (docs/operations.md, "Memory per connection"). Dropping the reference changes no
 * behaviour: nothing reads it again, and anything else that uses those objects holds them itself.
 *
 * <p>This uses Vert.x internals (a private field of {@code VertxHandler}), so it does nothing
 * but log once if they changed; IdleConnectionFootprintTest fails then.
 */
final class UpgradeLeftovers {

  private static final Logger LOG = LoggerFactory.getLogger(UpgradeLeftovers.class);
  private static final Field FACTORY = factoryField();

  private UpgradeLeftovers() {}

  /**
   * Drops what the upgrade of {@code socket} left behind; false if it could not (a socket
   * that is not Vert.x's own, or Vert.x internals that changed).
   */
  static boolean release(ServerWebSocket socket) {
    if (FACTORY == null || !(socket instanceof WebSocketInternal internal)) {
      return false;
    }
    ChannelHandler handler = internal.channelHandlerContext().handler();
    if (!(handler instanceof VertxHandler<?>)) {
      return false;
    }
    try {
      FACTORY.set(handler, null);
      return true;
    } catch (IllegalAccessException | RuntimeException e) {
      return false;
    }
  }

  private static Field factoryField() {
    try {
      Field field = VertxHandler.class.getDeclaredField("connectionFactory");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.atWarn().addKeyValue("error", String.valueOf(e))
          .log("Vert.x internals changed: each idle WebSocket keeps its HTTP/1.1 connection (about 2.3 KB more heap)");
      return null;
    }
  }
}
