package io.signalmesh.protocol;

import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

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

  public Envelope parse(String text) {
    JsonObject body = decode(text);
    Object rawType = body.getValue("type");
    if (!(rawType instanceof String typeName)) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE, "field 'type' must be a string");
    }
    MessageType type = MessageType.fromWireName(typeName);
    if (type == null) {
      throw new SignalingException(ErrorCode.UNKNOWN_TYPE, "unknown message type '" + truncate(typeName) + "'");
    }
    Envelope envelope = new Envelope(type, body);
    check(envelope);
    return envelope;
  }

  /** The {@code type} of a frame that failed to parse, for the error's {@code ref}, if it can be read. */
  public static String typeOf(String text) {
    if (nestsDeeperThan(text, MAX_NESTING)) {
      return null;
    }
    try {
      Object type = new JsonObject(text).getValue("type");
      return type instanceof String s ? truncate(s) : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static JsonObject decode(String text) {
    if (nestsDeeperThan(text, MAX_NESTING)) {
      throw new SignalingException(ErrorCode.BAD_JSON,
          "a frame may nest objects and arrays at most " + MAX_NESTING + " levels deep");
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new SignalingException(ErrorCode.BAD_JSON, "a frame must hold one JSON object");
    }
  }

  /**
   * Whether the text opens more than {@code limit} objects or arrays at once, counted without
   * parsing (brackets inside strings do not count). Exact for valid JSON; anything else is
   * refused by the parser either way.
   */
  static boolean nestsDeeperThan(String text, int limit) {
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        if (++depth > limit) {
          return true;
        }
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    return false;
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
      case OFFER, ANSWER, ICE_CANDIDATE, END_CALL -> requireTargetId(body);
      case BROADCAST -> {
        requireRoomId(body);
        if (!(body.getValue("data") instanceof JsonObject)) {
          throw new SignalingException(ErrorCode.BAD_MESSAGE, "field 'data' must be a JSON object");
        }
      }
      case GET_PEERS, PING -> { }
    }
  }

  private static void requireRoomId(JsonObject body) {
    Object roomId = body.getValue("roomId");
    if (!(roomId instanceof String s) || !RoomId.isValid(s)) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE,
          "field 'roomId' must be 1-128 characters of [A-Za-z0-9_.:-]");
    }
  }

  private static void requireTargetId(JsonObject body) {
    Object targetId = body.getValue("targetId");
    if (!(targetId instanceof String s) || s.isEmpty() || s.length() > ClientId.MAX_LENGTH) {
      throw new SignalingException(ErrorCode.BAD_MESSAGE, "field 'targetId' must be a client id");
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

  /** Cuts a long type for an error's text and ref; never between the two halves of a character, which would reach the client as '?'. */
  private static String truncate(String s) {
    if (s.length() <= 64) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(63)) ? 63 : 64;
    return s.substring(0, end) + "...";
  }
}
