package io.signalmesh.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;

/** The frames the server sends, encoded once here so every sender agrees on their shape. */
public final class ServerMessages {

  public static final int PROTOCOL_VERSION = 1;

  private ServerMessages() {}

  /**
   * Written as text rather than through a {@code JsonObject}: it is sent on every connect, and
   * the ids are URL-safe base64 that need no escaping ({@link #quoted} escapes anyway). The
   * frames of every connect, join and leave are written this way; the rest go through a tree.
   *
   * @param iceServers the {@code iceServers} array as JSON text
   */
  public static String connected(ClientId clientId, String sessionToken, String iceServers, boolean resumed) {
    StringBuilder message = new StringBuilder(160 + sessionToken.length() + iceServers.length())
        .append("{\"type\":\"connected\",\"clientId\":");
    quoted(message, clientId.value()).append(",\"sessionToken\":");
    quoted(message, sessionToken).append(",\"iceServers\":").append(iceServers)
        .append(",\"protocol\":").append(PROTOCOL_VERSION);
    if (resumed) {
      message.append(",\"resumed\":true");
    }
    return message.append('}').toString();
  }

  /** A JSON string, escaped as Jackson escapes it when it encodes a tree. */
  private static StringBuilder quoted(StringBuilder to, String text) {
    to.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, to);
    return to.append('"');
  }

  /**
   * The join's reply. Written as text like {@link #connected}: every join sends it, and building
   * a tree only to encode it again cost more than the rest of the join.
   */
  public static String roomParticipants(RoomId room, Collection<Member> others) {
    StringBuilder message = new StringBuilder(96 + 48 * others.size()).append("{\"type\":\"room-participants\",\"roomId\":");
    quoted(message, room.value()).append(",\"participants\":[");
    String separator = "";
    for (Member member : others) {
      quoted(message.append(separator), member.clientId().value());
      separator = ",";
    }
    message.append("],\"profiles\":{");
    separator = "";
    for (Member member : others) {
      quoted(message.append(separator), member.clientId().value()).append(":{");
      profile(message, member, "").append('}');
      separator = ",";
    }
    return message.append("}}").toString();
  }

  /** Sent to the room on every join: text like {@link #roomParticipants}. */
  public static String participantJoined(RoomId room, Member member) {
    StringBuilder message = new StringBuilder(128).append("{\"type\":\"participant-joined\",\"roomId\":");
    quoted(message, room.value()).append(",\"participantId\":");
    quoted(message, member.clientId().value());
    return profile(message, member, ",").append('}').toString();
  }

  /**
   * The profile other participants see (its name and metadata, each only when set), each member
   * after {@code separator} the first time and a comma after that.
   */
  private static StringBuilder profile(StringBuilder to, Member member, String separator) {
    if (member.name() != null) {
      quoted(to.append(separator).append("\"name\":"), member.name());
      separator = ",";
    }
    if (member.metadata() != null) {
      to.append(separator).append("\"metadata\":").append(member.metadata().encode());
    }
    return to;
  }

  public static String participantLeft(RoomId room, ClientId participant, LeaveReason reason) {
    StringBuilder message = new StringBuilder(128).append("{\"type\":\"participant-left\",\"roomId\":");
    quoted(message, room.value()).append(",\"participantId\":");
    quoted(message, participant.value()).append(",\"reason\":");
    return quoted(message, reason.wireName()).append('}').toString();
  }

  public static String peerDisconnected(ClientId peer) {
    return quoted(new StringBuilder(64).append("{\"type\":\"peer-disconnected\",\"clientId\":"), peer.value())
        .append('}').toString();
  }

  public static String roomClosed(RoomId room, String reason) {
    return new JsonObject().put("type", "room-closed").put("roomId", room.value()).put("reason", reason).encode();
  }

  /**
   * A relayed message: the sender's payload unchanged but for {@code targetId} dropped and
   * {@code senderId} set (any {@code senderId} the client sent is dropped).
   */
  public static String relayed(RelayPayload payload, ClientId sender) {
    return payload.withSender(sender);
  }

  /** {@link #relayed} as the UTF-8 bytes of the text frame, built from the sender's bytes. */
  public static byte[] relayedUtf8(RelayPayload payload, ClientId sender) {
    return payload.withSenderUtf8(sender);
  }

  public static String broadcast(RoomId room, ClientId sender, JsonObject data) {
    return new JsonObject()
        .put("type", "broadcast")
        .put("roomId", room.value())
        .put("senderId", sender.value())
        .put("data", data)
        .encode();
  }

  public static String peersList(Collection<ClientId> peers) {
    JsonArray ids = new JsonArray();
    peers.forEach(id -> ids.add(id.value()));
    return new JsonObject().put("type", "peers-list").put("peers", ids).encode();
  }

  public static String pong() {
    return "{\"type\":\"pong\"}";
  }

  public static String reconnect(String reason) {
    return new JsonObject().put("type", "reconnect").put("reason", reason).encode();
  }

  public static String error(ErrorCode code, String message, String ref) {
    JsonObject error = new JsonObject()
        .put("type", "error")
        .put("code", code.wireName())
        .put("message", message);
    if (ref != null) {
      error.put("ref", ref);
    }
    return error.encode();
  }

  /**
   * A relay its target's node did not confirm in time (the node lives but cannot be reached):
   * the sender learns that this message to {@code target} is not delivered from now on, rather
   * than nothing. It may have been delivered already when only the confirmation could not come
   * back (two nodes cannot tell a lost frame from a lost acknowledgement).
   */
  public static String undelivered(ClientId target, String ref, long seconds) {
    JsonObject error = new JsonObject()
        .put("type", "error")
        .put("code", ErrorCode.UNAVAILABLE.wireName())
        .put("message", "your message to " + target.value() + " was not confirmed by its node within " + seconds
            + " s and is not delivered after this (it may have been already, if only the confirmation was lost);"
            + " send it again if it still matters")
        .put("targetId", target.value());
    if (ref != null) {
      error.put("ref", ref);
    }
    return error.encode();
  }

  /**
   * A relay to a client of another node that its target could not take (it is away and its
   * resume queue, or the queue parked for it, is full; or it is gone): the same {@code unavailable}
   * as for a target on the sender's node, with {@code targetId} since it arrives later.
   */
  public static String notTaken(ClientId target, String ref) {
    JsonObject error = new JsonObject()
        .put("type", "error")
        .put("code", ErrorCode.UNAVAILABLE.wireName())
        .put("message", "peer " + target.value()
            + " cannot take messages now (reconnecting with a full queue, or gone); your message to it is lost")
        .put("targetId", target.value());
    if (ref != null) {
      error.put("ref", ref);
    }
    return error.encode();
  }
}
