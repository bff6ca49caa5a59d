package io.signalmesh.protocol;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.json.JsonObject;

/**
 * One validated client message: its type and the JSON object it came in. The payload is kept
 * as received so relays pass it on unchanged; only the fields the server acts on are read.
 */
public record Envelope(MessageType type, JsonObject body) {

  public RoomId roomId() {
    return new RoomId(body.getString("roomId"));
  }

  public ClientId targetId() {
    return new ClientId(body.getString("targetId"));
  }

  public String name() {
    return body.getString("name");
  }

  public JsonObject metadata() {
    return body.getJsonObject("metadata");
  }

  public JsonObject data() {
    return body.getJsonObject("data");
  }
}
