package io.signalmesh.app;

import io.signalmesh.config.ServerConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.concurrent.TimeUnit;

/** The HTTP server options of the two ports, where every transport limit is set in one place. */
final class ServerOptionsFactory {

  /** Frames up to this many times the message limit are read and answered with {@code too-large}; larger ones are cut at the header. */
  private static final int FRAME_READ_FACTOR = 2;

  private final ServerConfig config;

  ServerOptionsFactory(ServerConfig config) {
    this.config = config;
  }

  HttpServerOptions signaling(int port) {
    int maxMessage = config.limits().maxMessageBytes();
    HttpServerOptions options = new HttpServerOptions()
        // no h2c upgrade: WebSockets and the web app need HTTP/1.1, and Vert.x 5.0.7 garbles
        // large responses to clients that ask for the upgrade (JDK HttpClient does)
        .setHttp2ClearTextEnabled(false)
        .setHost(config.host())
        .setPort(port)
        // Netty refuses a frame past this before buffering its payload (close 1009); below it our
        // assembler answers with a too-large error first. Messages are reassembled by us.
        .setMaxWebSocketFrameSize(maxMessage * FRAME_READ_FACTOR)
        .setMaxWebSocketMessageSize(maxMessage * FRAME_READ_FACTOR)
        // no compression: a small compressed frame could inflate past every limit
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setCompressionSupported(true)
        .setStrictThreadMode(true)
        .setWebSocketClosingTimeout(5)
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setReadIdleTimeout((int) config.limits().idleTimeout().toMillis());
    if (config.tls() != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(config.tls().certPath().toString())
          .setKeyPath(config.tls().keyPath().toString()));
    }
    return options;
  }

  HttpServerOptions management() {
    return new HttpServerOptions().setHttp2ClearTextEnabled(false)
        .setHost(config.managementHost()).setPort(config.managementPort());
  }
}
