package io.signalmesh.app;

import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Path;

/** The browser app: the copy packaged in the jar ({@code web/} on the classpath), or a folder for development. */
final class WebApp {

  private WebApp() {}

  static StaticHandler staticHandler(Path webRoot) {
    if (webRoot == null) {
      return StaticHandler.create("web");
    }
    return StaticHandler.create(FileSystemAccess.ROOT, webRoot.toAbsolutePath().toString()).setCachingEnabled(false);
  }
}
