package io.signalmesh.protocol;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * Turns one text frame into an {@link Envelope}, or refuses it with the code a client should
 * see. Every rule about the shape of a client message lives here (the protocol's
 * {@code CheckValid}); handlers can rely on the fields they read being present and sane.
 */
public final class EnvelopeParser {

  /**
   * Deepest nesting of objects and arrays a frame may have (the envelope itself is level 1).
   * Real messages nest a few levels; JSON nested hundreds deep parses, but re-encoding it for a
   * relay recurses once per level and overflows an event loop's stack, so it is refused unread.
   */
  public static final int MAX_NESTING = 32;

  private final FieldLimits limits;

  public EnvelopeParser(FieldLimits limits) {
    this.limits = limits;
  }

  /**
   * A relay (the bulk of the traffic) is read in one streaming pass and kept as text; the
   * other types, rare and rate-limited, are parsed into an object as well.
   */
  public Envelope parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Like {@link #parse(String)}, on the frame's bytes as they came. Bytes that are not valid
   * UTF-8 are read as their decoding (each bad sequence a U+FFFD), as a String would hold them.
   *
   * @param utf8 the whole message; not copied, so it must not change afterwards
   */
  public Envelope parse(byte[] utf8) {
    TopLevelScan scan = TopLevelScan.of(wellFormed(utf8));
    String typeName = scan.type();
    if (typeName == null) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE, "field 'type' must be a string");
    }
    MessageType type = MessageType.fromWireName(typeName);
    if (type == null) {
      throw new SignalingException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + truncate(typeName) + "'");
    }
    if (type.isRelay()) {
      String targetId = scan.targetId();
      if (targetId == null || targetId.isEmpty() || targetId.length() > ClientId.MAX_LENGTH) {
        throw new SignalingException(ErrorCode.BAD_MESSAGE, "field 'targetId' must be a client id");
      }
      return Envelope.relay(type, new ClientId(targetId), scan.relayPayload());
    }
    Envelope envelope = new Envelope(type, scan.object(), null, null);
    check(envelope);
    return envelope;
  }

  /** The {@code type} of a frame that failed to parse, for the error's {@code ref}, if it can be read. */
  public static String typeOf(String text) {
    return typeOf(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Like {@link #typeOf(String)}, on a frame's bytes. */
  public static String typeOf(byte[] utf8) {
    try {
      String type = TopLevelScan.of(wellFormed(utf8)).type();
      return type == null ? null : truncate(type);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The error for a frame nesting deeper than {@link #MAX_NESTING}, found by {@link TopLevelScan}. */
  static SignalingException tooDeep() {
    return new SignalingException(ErrorCode.BAD_JSON,
        "a frame may nest objects and arrays at most " + MAX_NESTING + " levels deep");
  }

  private void check(Envelope envelope) {
    JsonObject body = envelope.body();
    switch (envelope.type()) {
      case JOIN_ROOM -> {
        requireRoomId(body);
        optionalName(body);
        optionalMetadata(body);
      }
      case LEAVE_ROOM -> requireRoomId(body);
      case OFFER, ANSWER, ICE_CANDIDATE, END_CALL, GET_PEERS, PING -> { } // relays: checked in parse
      case BROADCAST -> {
        requireRoomId(body);
        if (!(body.getValue("data") instanceof JsonObject)) {
          throw new SignalingException(ErrorCode.BAD_MESSAGE, "field 'data' must be a JSON object");
        }
      }
    }
  }

  private static void requireRoomId(JsonObject body) {
    Object roomId = body.getValue("roomId");
    if (!(roomId instanceof String s) || !RoomId.isValid(s)) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "field 'roomId' must be 1-128 characters of [A-Za-z0-9_.:-]");
    }
  }

  private void optionalName(JsonObject body) {
    Object name = body.getValue("name");
    if (name == null) {
      return;
    }
    if (!(name instanceof String s) || s.length() > limits.maxNameLength()) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "field 'name' must be a string of at most " + limits.maxNameLength() + " characters");
    }
  }

  private void optionalMetadata(JsonObject body) {
    Object metadata = body.getValue("metadata");
    if (metadata == null) {
      return;
    }
    if (!(metadata instanceof JsonObject object) || object.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > limits.maxMetadataBytes()) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "field 'metadata' must be a JSON object of at most " + limits.maxMetadataBytes() + " bytes");
    }
  }

  /** The bytes, or their decoding's bytes where they are not valid UTF-8. */
  private static byte[] wellFormed(byte[] utf8) {
    return Utf8.isValid(utf8, 0, utf8.length)
        ? utf8
        : new String(utf8, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
  }

  /** Cuts a long type for an error's text and ref; never between the two halves of a character, which would reach the client as '?'. */
  private static String truncate(String s) {
    if (s.length() <= 64) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(63)) ? 63 : 64;
    return s.substring(0, end) + "...";
  }
}
