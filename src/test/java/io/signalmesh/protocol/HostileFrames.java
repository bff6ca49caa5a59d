package io.signalmesh.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generated client frames for the hostile-input tests: valid envelopes of every type with
 * arbitrary payloads, frames that are wrong by construction (each with the error code its flaw
 * calls for), and anything at all (valid frames mutated as text, random JSON, deep nesting,
 * huge numbers, unicode of every plane). Deterministic for a given sequence of draws.
 */
public final class HostileFrames {

  /** A frame that must be refused, the code it must be refused with, and the {@code ref} its error carries. */
  public record Invalid(String flaw, String text, ErrorCode code, String ref) {
    @Override
    public String toString() {
      return flaw + " -> " + code.wireName() + " (ref " + ref + "): " + text;
    }
  }

  private static final String ROOM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-";
  private static final String[] TYPES = {"join-room", "leave-room", "offer", "answer", "ice-candidate", "end-call",
      "broadcast", "get-peers", "ping"};
  private static final String[] RELAYS = {"offer", "answer", "ice-candidate", "end-call"};

  private final FieldLimits limits;

  public HostileFrames(FieldLimits limits) {
    this.limits = limits;
  }

  // ---- anything at all ----

  /** Any text a client could send: valid, invalid, mutated, random. */
  public String anyText(Random r) {
    return switch (r.nextInt(10)) {
      case 0, 1 -> valid(r).encode();
      case 2, 3 -> invalid(r).text();
      case 4, 5, 6 -> mutate(r, valid(r).encode());
      case 7 -> String.valueOf(json(r, 4));
      case 8 -> r.nextBoolean() ? nested(r) : hugeNumbers(r);
      default -> text(r, 0, 40, true);
    };
  }

  /** A textual mutation of a frame: cut, spliced, doubled, wrapped; what it comes to is unknown. */
  public String mutate(Random r, String text) {
    int at = text.isEmpty() ? 0 : r.nextInt(text.length() + 1);
    return switch (r.nextInt(11)) {
      case 0 -> text.substring(0, at);
      case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + r.nextInt(5)));
      case 2 -> text.substring(0, at) + text(r, 1, 3, true) + text.substring(at);
      case 3 -> text.substring(0, at) + "\"" + text.substring(at);
      case 4 -> "[" + text + "]";
      case 5 -> text + text;
      case 6 -> "\uFEFF" + text;
      case 7 -> text.replaceFirst("\\{", java.util.regex.Matcher.quoteReplacement("{\"type\":" + scalar(r) + ","));
      case 8 -> text.substring(0, at) + "\\u" + Integer.toHexString(r.nextInt(0x10000)) + text.substring(at);
      case 9 -> text.replace(":", ":" + "[".repeat(1 + r.nextInt(3)));
      default -> " \t\r\n" + text + " " + text(r, 0, 3, true);
    };
  }

  /** Arrays or objects nested far deeper than any real message (up to past the JSON parser's own depth limit). */
  public String nested(Random r) {
    int depth = r.nextBoolean() ? 1 + r.nextInt(200) : 900 + r.nextInt(400);
    String open = r.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    String inner = open.repeat(depth) + "1" + close.repeat(depth);
    return r.nextBoolean() ? inner : "{\"type\":\"" + pick(r, TYPES) + "\",\"targetId\":\"x\",\"roomId\":\"r\",\"data\":{\"d\":"
        + inner + "}}";
  }

  /**
   * Numbers past what a double holds or a parser should read: out of range both ways, thousands
   * of digits (a browser never sends these: JSON.stringify writes doubles).
   */
  public String hugeNumbers(Random r) {
    String number = switch (r.nextInt(5)) {
      case 0 -> "1e" + (309 + r.nextInt(1_000_000));
      case 1 -> "-1e-" + (324 + r.nextInt(1_000_000));
      case 2 -> "9".repeat(20 + r.nextInt(3000));
      case 3 -> "0." + "1".repeat(20 + r.nextInt(3000));
      default -> "-" + "7".repeat(10 + r.nextInt(990)) + "e" + r.nextInt(1000);
    };
    return "{\"type\":\"" + pick(r, TYPES) + "\",\"targetId\":\"x\",\"roomId\":\"r\",\"n\":" + number
        + ",\"data\":{\"n\":[" + number + "]}}";
  }

  // ---- valid envelopes ----

  /** A valid envelope of a random type, with arbitrary extra fields. */
  public JsonObject valid(Random r) {
    String type = pick(r, TYPES);
    JsonObject body = new JsonObject();
    for (int i = r.nextInt(3); i > 0; i--) {
      body.put(fieldName(r), json(r, 3));
    }
    body.put("type", type);
    switch (type) {
      case "join-room" -> {
        body.put("roomId", roomId(r));
        if (r.nextBoolean()) {
          body.put("name", r.nextInt(5) == 0 ? null : text(r, 0, limits.maxNameLength(), false));
        }
        if (r.nextInt(3) == 0) {
          body.put("metadata", smallObject(r));
        }
      }
      case "leave-room" -> body.put("roomId", roomId(r));
      case "broadcast" -> body.put("roomId", roomId(r)).put("data", r.nextBoolean() ? new JsonObject() : object(r, 3));
      case "get-peers", "ping" -> { }
      default -> body.put("targetId", "t" + text(r, 0, 40, false));
    }
    return body;
  }

  /** A valid relay of a random type to {@code targetId}, with a payload of every kind of JSON. */
  public JsonObject relay(Random r, String targetId) {
    JsonObject body = new JsonObject().put("type", pick(r, RELAYS)).put("targetId", targetId);
    body.put("sdp", text(r, 0, 60, false));
    if (r.nextBoolean()) {
      body.put("candidate", object(r, 2));
    }
    return body;
  }

  // ---- invalid by construction ----

  /** A frame with one flaw that the protocol names an error code for. */
  public Invalid invalid(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> notJson(r);
      case 1 -> notAnObject(r);
      case 2 -> withoutType(r);
      case 3 -> typeNotAString(r);
      case 4 -> unknownType(r);
      default -> badField(r);
    };
  }

  private Invalid notJson(Random r) {
    String whole = valid(r).encode();
    // a proper prefix of an object's text never closes it; never half a character, which no
    // client can send as text (a WebSocket text frame is UTF-8; invalid UTF-8 has tests of its own)
    int at = r.nextInt(whole.length());
    String cut = whole.substring(0, at > 0 && Character.isHighSurrogate(whole.charAt(at - 1)) ? at - 1 : at);
    return switch (r.nextInt(3)) {
      case 0 -> new Invalid("cut JSON", cut, ErrorCode.BAD_JSON, null);
      case 1 -> new Invalid("not JSON", "x" + text(r, 0, 20, false), ErrorCode.BAD_JSON, null);
      default -> new Invalid("two objects", whole + whole, ErrorCode.BAD_JSON, null);
    };
  }

  private Invalid notAnObject(Random r) {
    String text = switch (r.nextInt(6)) {
      case 0 -> new JsonArray().add(valid(r)).encode();
      case 1 -> "\"" + pick(r, TYPES) + "\"";
      case 2 -> String.valueOf(r.nextLong());
      case 3 -> "null";
      case 4 -> r.nextBoolean() ? "true" : "false";
      default -> new BigInteger(400 + r.nextInt(400), r).toString();
    };
    return new Invalid("JSON that is not an object", text, ErrorCode.BAD_JSON, null);
  }

  private Invalid withoutType(Random r) {
    JsonObject body = valid(r);
    body.remove("type");
    return new Invalid("no type", body.encode(), ErrorCode.BAD_MESSAGE, null);
  }

  private Invalid typeNotAString(Random r) {
    JsonObject body = valid(r);
    body.put("type", nonString(r));
    return new Invalid("type not a string", body.encode(), ErrorCode.BAD_MESSAGE, null);
  }

  private Invalid unknownType(Random r) {
    JsonObject body = valid(r);
    String type;
    do {
      type = switch (r.nextInt(4)) {
        case 0 -> pick(r, TYPES).toUpperCase();
        case 1 -> " " + pick(r, TYPES);
        case 2 -> pick(r, TYPES) + "\u0000";
        default -> text(r, 0, 90, false);
      };
    } while (MessageType.fromWireName(type) != null);
    body.put("type", type);
    return new Invalid("unknown type", body.encode(), ErrorCode.UNKNOWN_TYPE, refOf(type));
  }

  private Invalid badField(Random r) {
    int flaw = r.nextInt(12);
    String type = switch (flaw) {
      case 0, 1, 2, 3, 4, 5 -> "join-room";
      case 6 -> r.nextBoolean() ? "leave-room" : "broadcast";
      case 7, 8 -> pick(r, RELAYS);
      default -> "broadcast";
    };
    JsonObject body = new JsonObject().put("type", type);
    switch (type) {
      case "join-room", "leave-room", "broadcast" -> body.put("roomId", roomId(r));
      default -> body.put("targetId", "someone");
    }
    if (type.equals("broadcast")) {
      body.put("data", new JsonObject());
    }
    String what;
    switch (flaw) {
      case 0, 6 -> {
        what = "roomId " + badRoomId(r, body);
      }
      case 1 -> {
        body.put("name", nonString(r));
        what = "name not a string";
      }
      case 2 -> {
        body.put("name", longer(r, limits.maxNameLength()));
        what = "name over " + limits.maxNameLength() + " characters";
      }
      case 3 -> {
        Object metadata = nonString(r);
        body.put("metadata", metadata instanceof JsonObject ? "meta" : metadata);
        what = "metadata not an object";
      }
      case 4 -> {
        body.put("metadata", new JsonObject().put("m", longer(r, limits.maxMetadataBytes())));
        what = "metadata over " + limits.maxMetadataBytes() + " bytes";
      }
      case 5 -> {
        body.remove("roomId");
        what = "join-room without roomId";
      }
      case 7 -> {
        Object target = switch (r.nextInt(4)) {
          case 0 -> "";
          case 1 -> "t".repeat(65 + r.nextInt(100));
          case 2 -> nonString(r);
          default -> null;
        };
        if (target == null) {
          body.remove("targetId");
        } else {
          body.put("targetId", target);
        }
        what = "targetId " + (target == null ? "missing" : "wrong");
      }
      case 8 -> {
        body.remove("targetId");
        body.put("senderId", "spoofed");
        what = "relay without targetId";
      }
      default -> {
        Object data = r.nextInt(3) == 0 ? null : nonObject(r);
        if (data == null) {
          body.remove("data");
        } else {
          body.put("data", data);
        }
        what = "broadcast data not an object";
      }
    }
    return new Invalid(what, body.encode(), ErrorCode.BAD_MESSAGE, type);
  }

  private String badRoomId(Random r, JsonObject body) {
    switch (r.nextInt(6)) {
      case 0 -> {
        body.put("roomId", "");
        return "empty";
      }
      case 1 -> {
        body.put("roomId", "r".repeat(129 + r.nextInt(50)));
        return "of 129+ characters";
      }
      case 2 -> {
        body.put("roomId", nonString(r));
        return "not a string";
      }
      case 3 -> {
        body.remove("roomId");
        return "missing";
      }
      default -> {
        String id = roomId(r);
        int at = r.nextInt(id.length() + 1);
        String bad = pick(r, new String[] {" ", "/", "#", "\u00e9", "\uD83D\uDE00", "\u0000", "\"", "\\", "\u202E"});
        body.put("roomId", id.substring(0, at) + bad + id.substring(at));
        return "with a character outside [A-Za-z0-9_.:-]";
      }
    }
  }

  /** The {@code ref} an error carries for a frame of this type: long types cut after 64 characters, never inside one. */
  public static String refOf(String type) {
    if (type.length() <= 64) {
      return type;
    }
    int end = Character.isHighSurrogate(type.charAt(63)) ? 63 : 64;
    return type.substring(0, end) + "...";
  }

  // ---- building blocks ----

  public static String roomId(Random r) {
    int length = r.nextInt(8) == 0 ? 1 + r.nextInt(128) : 1 + r.nextInt(12);
    StringBuilder id = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      id.append(ROOM_CHARS.charAt(r.nextInt(ROOM_CHARS.length())));
    }
    return id.toString();
  }

  /** Text of {@code min}-{@code max} UTF-16 units from every part of Unicode; lone surrogates only if asked. */
  public static String text(Random r, int min, int max, boolean loneSurrogates) {
    int length = min + (max > min ? r.nextInt(max - min + 1) : 0);
    StringBuilder s = new StringBuilder(length);
    while (s.length() < length) {
      int kind = r.nextInt(100);
      if (kind < 40) {
        s.append((char) (0x20 + r.nextInt(0x5f)));
      } else if (kind < 48) {
        s.append((char) r.nextInt(0x20));
      } else if (kind < 60) {
        s.append((char) (0xa0 + r.nextInt(0x460)));
      } else if (kind < 70) {
        s.append((char) pickInt(r, 0x4e00 + r.nextInt(0x5200), 0x590 + r.nextInt(0x170), 0x300 + r.nextInt(0x70)));
      } else if (kind < 80) {
        if (s.length() + 2 <= length) {
          s.appendCodePoint(0x1F300 + r.nextInt(0x800));
        }
      } else if (kind < 88) {
        s.append(pick(r, new String[] {"\"", "\\", "/", "\u2028", "\u2029", "\uFEFF", "\uFFFD", "\uFFFF", "\u202E"}));
      } else if (kind < 92 && loneSurrogates) {
        s.append((char) (0xD800 + r.nextInt(0x800)));
      } else {
        s.append((char) ('a' + r.nextInt(26)));
      }
    }
    return s.toString();
  }

  /** Text longer than {@code limit} in characters (and so in bytes). */
  private static String longer(Random r, int limit) {
    String pad = r.nextBoolean() ? "n" : "\u00e9";
    return pad.repeat(limit + 1 + r.nextInt(20));
  }

  private static String fieldName(Random r) {
    return r.nextInt(4) == 0 ? pick(r, new String[] {"senderId", "clientId", "participantId", "sessionToken", "sdp"})
        : text(r, 0, 12, false);
  }

  /** Any JSON value, nested up to {@code depth}. */
  public static Object json(Random r, int depth) {
    int kind = r.nextInt(depth > 0 ? 9 : 7);
    return switch (kind) {
      case 0, 1, 2, 3, 4, 5, 6 -> scalar(r);
      case 7 -> object(r, depth - 1);
      default -> array(r, depth - 1);
    };
  }

  private static Object scalar(Random r) {
    return switch (r.nextInt(14)) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> r.nextInt();
      case 3 -> r.nextLong();
      case 4 -> pickLong(r, Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L);
      case 5 -> r.nextDouble() * Math.pow(10, r.nextInt(600) - 300);
      case 6 -> pickDouble(r, Double.MAX_VALUE, Double.MIN_VALUE, -0.0, 1e308, -1e-308);
      case 7 -> new BigInteger(64 + r.nextInt(2000), r).negate();
      // within the range of a double, as every number a browser sends (see hugeNumbers for the others)
      case 8 -> new BigDecimal(new BigInteger(64 + r.nextInt(136), r), r.nextInt(480) - 240);
      default -> text(r, 0, 30, false);
    };
  }

  private static JsonObject object(Random r, int depth) {
    JsonObject object = new JsonObject();
    for (int i = r.nextInt(4); i > 0; i--) {
      object.put(fieldName(r), json(r, depth));
    }
    return object;
  }

  private JsonObject smallObject(Random r) {
    JsonObject object = new JsonObject();
    for (int i = r.nextInt(3); i > 0; i--) {
      object.put(text(r, 0, 8, false), r.nextBoolean() ? text(r, 0, 20, false) : r.nextInt());
    }
    return object;
  }

  private static JsonArray array(Random r, int depth) {
    JsonArray array = new JsonArray();
    for (int i = r.nextInt(4); i > 0; i--) {
      array.add(json(r, depth));
    }
    return array;
  }

  private static Object nonString(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> r.nextInt();
      case 1 -> r.nextBoolean();
      case 2 -> new JsonArray().add("x");
      case 3 -> new JsonObject().put("x", 1);
      case 4 -> new BigInteger(200, r);
      default -> r.nextDouble();
    };
  }

  private static Object nonObject(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> "data";
      case 1 -> new JsonArray().add(new JsonObject());
      case 2 -> r.nextInt();
      default -> false;
    };
  }

  private static <T> T pick(Random r, T[] options) {
    return options[r.nextInt(options.length)];
  }

  private static int pickInt(Random r, int... options) {
    return options[r.nextInt(options.length)];
  }

  private static long pickLong(Random r, long... options) {
    return options[r.nextInt(options.length)];
  }

  private static double pickDouble(Random r, double... options) {
    return options[r.nextInt(options.length)];
  }

  // ---- shrinking ----

  /**
   * Smaller variants of a frame's text: structural ones first when it is a JSON object (a field
   * dropped, a value made trivial), then the text with a chunk removed.
   */
  public static List<String> shrinkText(String text) {
    List<String> candidates = new ArrayList<>();
    JsonObject object = null;
    try {
      object = new JsonObject(text);
    } catch (RuntimeException notAnObject) {
      // textual shrinking only
    }
    if (object != null) {
      for (String field : object.fieldNames()) {
        JsonObject without = object.copy();
        without.remove(field);
        candidates.add(without.encode());
      }
      for (String field : object.fieldNames()) {
        for (Object simpler : simpler(object.getValue(field))) {
          candidates.add(object.copy().put(field, simpler).encode());
        }
      }
    }
    for (int chunk = text.length() / 2; chunk >= 1; chunk /= 2) {
      for (int at = 0; at + chunk <= text.length(); at += chunk) {
        candidates.add(text.substring(0, at) + text.substring(at + chunk));
      }
    }
    return candidates;
  }

  private static List<Object> simpler(Object value) {
    List<Object> simpler = new ArrayList<>();
    if (value instanceof JsonObject object && !object.isEmpty()) {
      simpler.add(new JsonObject());
      for (String field : object.fieldNames()) {
        simpler.add(object.getValue(field));
      }
    } else if (value instanceof JsonArray array && !array.isEmpty()) {
      simpler.add(new JsonArray());
      simpler.add(array.getValue(0));
    } else if (value instanceof String s && !s.isEmpty()) {
      simpler.add(s.substring(0, s.length() / 2));
      simpler.add(s.substring(1));
    } else if (value instanceof Number n && !(n instanceof Integer i && i == 0)) {
      simpler.add(0);
    }
    return simpler;
  }
}
