package io.signalmesh.reliability;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The admin REST API of one node (loopback management port, so no key), as an operator's script reads it. */
final class AdminRest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private final int managementPort;

  AdminRest(int managementPort) {
    this.managementPort = managementPort;
  }

  /** {@code GET /admin/nodes}. */
  JsonObject nodes() {
    return get("/admin/nodes");
  }

  /** {@code GET /admin/rooms?limit=1000}. */
  JsonObject rooms() {
    return get("/admin/rooms?limit=1000");
  }

  /** {@code GET /admin/rooms/{id}}; null for 404 (no such room). */
  JsonObject room(String roomId) {
    return get("/admin/rooms/" + roomId);
  }

  /** {@code GET /health/ready}: true for 200. */
  boolean ready() {
    try {
      return send("/health/ready").statusCode() == 200;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private JsonObject get(String path) {
    HttpResponse<String> response = send(path);
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " on " + managementPort + ": " + response.statusCode() + " "
          + response.body());
    }
    return new JsonObject(response.body());
  }

  private HttpResponse<String> send(String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " on " + managementPort + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
