package io.signalmesh.signaling;

import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/** What the admin REST API of a node (loopback, no key) says about rooms: the presence store's view. */
final class AdminRooms {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final int managementPort;

  AdminRooms(int managementPort) {
    this.managementPort = managementPort;
  }

  /** Members of the room by client id, each with its state (connected, resuming); empty for a 404. */
  Map<String, String> members(String room) {
    HttpResponse<String> response = call("GET", "/admin/rooms/" + room);
    if (response.statusCode() == 404) {
      return Map.of();
    }
    expect(200, response);
    Map<String, String> members = new TreeMap<>();
    new JsonObject(response.body()).getJsonArray("participants").forEach(p -> {
      JsonObject participant = (JsonObject) p;
      members.put(participant.getString("id"), participant.getString("state"));
    });
    return members;
  }

  /** Every room the node lists, with its participant count. */
  Map<String, Integer> rooms() {
    HttpResponse<String> response = call("GET", "/admin/rooms?limit=1000");
    expect(200, response);
    Map<String, Integer> rooms = new TreeMap<>();
    new JsonObject(response.body()).getJsonArray("rooms").forEach(r -> {
      JsonObject room = (JsonObject) r;
      rooms.put(room.getString("roomId"), room.getInteger("participants"));
    });
    return rooms;
  }

  /** Sessions the node holds (connected or waiting for a resume). */
  int sessions() {
    HttpResponse<String> response = call("GET", "/admin/nodes");
    expect(200, response);
    return new JsonObject(response.body()).getJsonArray("nodes").getJsonObject(0).getInteger("sessions");
  }

  int kick(String room, String clientId) {
    return call("DELETE", "/admin/rooms/" + room + "/participants/" + clientId).statusCode();
  }

  int close(String room) {
    return call("DELETE", "/admin/rooms/" + room).statusCode();
  }

  private HttpResponse<String> call(String method, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
          .method(method, HttpRequest.BodyPublishers.noBody()).timeout(TestClient.TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void expect(int status, HttpResponse<String> response) {
    if (response.statusCode() != status) {
      throw new AssertionError(response.request().method() + " " + response.uri().getPath() + " answered "
          + response.statusCode() + ": " + response.body());
    }
  }
}
