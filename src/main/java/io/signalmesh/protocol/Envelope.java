package io.signalmesh.protocol;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.json.JsonObject;

/**
 * One validated client message: its type and the JSON object it came in, or for a relay its
 * target and the payload kept as received text (passed on unchanged; never parsed into an
 * object). Only the fields the server acts on are read.
 *
 * @param body the parsed message; null for a relay
 * @param target the relay's {@code targetId}; null for other types
 * @param relay what a relay passes on; null for other types
 */
public record Envelope(MessageType type, JsonObject body, ClientId target, RelayPayload relay) {

  static Envelope relay(MessageType type, ClientId target, RelayPayload payload) {
    return new Envelope(type, null, target, payload);
  }

  public RoomId roomId() {
    return new RoomId(body.getString("roomId"));
  }

  public ClientId targetId() {
    return target;
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
