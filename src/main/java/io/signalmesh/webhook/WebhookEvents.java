package io.signalmesh.webhook;

import io.signalmesh.presence.Member;
import io.signalmesh.presence.OutboxEvents;
import io.signalmesh.protocol.LeaveReason;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * The webhook events of membership changes, as JSON bodies (docs/webhooks.md): each with a
 * unique {@code id} (receivers drop repeats by it), its {@code type} and {@code createdAt}.
 * Built before the change and handed to the presence store, which keeps those that apply.
 * Off: every change announces {@link OutboxEvents#NONE}, and nothing is built.
 */
public final class WebhookEvents {

  public static final String ROOM_STARTED = "room-started";
  public static final String ROOM_FINISHED = "room-finished";
  public static final String PARTICIPANT_JOINED = "participant-joined";
  public static final String PARTICIPANT_LEFT = "participant-left";
  /**
   * The {@code participant-left} reason of members removed because an operator closed the room:
   * not a protocol leave reason (those clients get {@code room-closed}, their peers nothing).
   */
  public static final String ROOM_CLOSED = "room-closed";

  private static final WebhookEvents OFF = new WebhookEvents(null);

  private final Clock clock;

  private WebhookEvents(Clock clock) {
    this.clock = clock;
  }

  public static WebhookEvents on(Clock clock) {
    return new WebhookEvents(clock);
  }

  public static WebhookEvents off() {
    return OFF;
  }

  /** A join: participant-joined, and room-started should it create the room. */
  public OutboxEvents joined(RoomId room, Member member) {
    if (clock == null) {
      return OutboxEvents.NONE;
    }
    JsonObject joined = event(PARTICIPANT_JOINED, room).put("participantId", member.clientId().value());
    if (member.name() != null) {
      joined.put("name", member.name());
    }
    if (member.metadata() != null) {
      joined.put("metadata", member.metadata());
    }
    joined.put("node", member.nodeId());
    return new OutboxEvents(joined.encode(), event(ROOM_STARTED, room).encode());
  }

  /** A leave for a protocol reason: participant-left, and room-finished should it empty the room. */
  public OutboxEvents left(RoomId room, ClientId client, String nodeId, LeaveReason reason) {
    return left(room, client, nodeId, reason.wireName());
  }

  /** A member removed because an operator closed the room: participant-left with reason {@value #ROOM_CLOSED}. */
  public OutboxEvents closed(RoomId room, ClientId client, String nodeId) {
    return left(room, client, nodeId, ROOM_CLOSED);
  }

  private OutboxEvents left(RoomId room, ClientId client, String nodeId, String reason) {
    if (clock == null) {
      return OutboxEvents.NONE;
    }
    JsonObject left = event(PARTICIPANT_LEFT, room).put("participantId", client.value())
        .put("reason", reason).put("node", nodeId);
    return new OutboxEvents(left.encode(), event(ROOM_FINISHED, room).encode());
  }

  private JsonObject event(String type, RoomId room) {
    return new JsonObject()
        .put("id", UUID.randomUUID().toString())
        .put("type", type)
        .put("createdAt", Instant.ofEpochMilli(clock.millis()).toString())
        .put("roomId", room.value());
  }
}
