package io.signalmesh.presence;

import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One participant of a room as the presence store keeps it.
 *
 * @param clientId the participant
 * @param nodeId the node that holds its session (where relays to it are sent)
 * @param name display name, may be null
 * @param metadata small app-defined JSON object, may be null
 * @param joinedAtMillis when it joined (epoch millis)
 */
public record Member(ClientId clientId, String nodeId, String name, JsonObject metadata, long joinedAtMillis) {

  public Member {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(nodeId, "nodeId");
  }

  public Member onNode(String otherNodeId) {
    return new Member(clientId, otherNodeId, name, metadata, joinedAtMillis);
  }
}
