package io.signalmesh.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.Arrays;

/**
 * One streaming pass over a frame's UTF-8 bytes: checks that it is exactly one well-formed JSON
 * object (Jackson, with the default limits {@code new JsonObject(text)} has) and notes the
 * top-level {@code type} and {@code targetId} and where each top-level member starts. A relay is
 * then passed on by cutting the frame's bytes ({@link RelayPayload}) instead of building a tree
 * and encoding it again, or even decoding it into a String: the frame arrives as bytes and leaves
 * as bytes (docs/benchmarks.md).
 *
 * <p>The bytes must be valid UTF-8 ({@link Utf8#isValid}); the parser's offsets are then byte
 * offsets. Like a parsed object, a key given twice counts with its last value.
 */
final class TopLevelScan {

  /**
   * Jackson's own parser for UTF-8 bytes. The factory would take a frame starting with a NUL
   * byte or a byte order mark for UTF-16/32 or skip the mark; neither is valid JSON in UTF-8 and
   * {@link #of} refuses both before parsing, so the parser is always the UTF-8 one.
   */
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  static final String TYPE = "type";
  static final String TARGET_ID = "targetId";
  static final String SENDER_ID = "senderId";

  private final byte[] bytes;
  private String type;
  private boolean typePresent;
  private String targetId;
  private int[] memberStarts = new int[8];
  private boolean[] relayedOn = new boolean[8];
  private int members;
  private int end;

  private TopLevelScan(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * @param utf8 the whole frame, valid UTF-8 (not copied: it must not change afterwards)
   * @throws SignalingException {@code bad-json} unless the bytes are one JSON object and nothing else
   */
  static TopLevelScan of(byte[] utf8) {
    if (!startsPlainly(utf8)) {
      throw badJson();
    }
    TopLevelScan scan = new TopLevelScan(utf8);
    try (JsonParser parser = FACTORY.createParser(utf8)) {
      if (!(parser instanceof UTF8StreamJsonParser) || parser.nextToken() != JsonToken.START_OBJECT) {
        throw badJson();
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        // the name's own offset (the parser's token offset is already its value's here)
        scan.member((int) parser.currentTokenLocation().getByteOffset(), key);
        JsonToken value = parser.nextToken();
        String string = null;
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          skipNested(parser);
        } else if (value == JsonToken.VALUE_STRING && (TYPE.equals(key) || TARGET_ID.equals(key))) {
          string = parser.getText();
        }
        if (TYPE.equals(key)) {
          scan.typePresent = true;
          scan.type = string;
        } else if (TARGET_ID.equals(key)) {
          scan.targetId = string;
        }
      }
      if (token != JsonToken.END_OBJECT) {
        throw badJson();
      }
      scan.end = (int) parser.currentTokenLocation().getByteOffset();
      if (parser.nextToken() != null) {
        throw badJson();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof SignalingException signaling) {
        throw signaling;
      }
      throw badJson();
    }
    return scan;
  }

  /**
   * No NUL byte among the first four and no UTF-8 byte order mark: what the factory's encoding
   * detection would read as UTF-16/32 or skip. Valid JSON in UTF-8 has neither (a NUL is allowed
   * only escaped, and a document starts with whitespace or a value).
   */
  private static boolean startsPlainly(byte[] utf8) {
    for (int i = 0; i < Math.min(4, utf8.length); i++) {
      if (utf8[i] == 0) {
        return false;
      }
    }
    return utf8.length < 3 || (utf8[0] & 0xFF) != 0xEF || (utf8[1] & 0xFF) != 0xBB || (utf8[2] & 0xFF) != 0xBF;
  }

  /**
   * Skips a member's object or array, refusing one that nests deeper than
   * {@link EnvelopeParser#MAX_NESTING} (the envelope is level 1): what a relay passes on
   * unparsed still reaches browsers and other nodes, which re-encode it recursively.
   */
  private static void skipNested(JsonParser parser) throws IOException {
    int depth = 2;
    while (depth > 1) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw badJson();
      }
      if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
        if (++depth > EnvelopeParser.MAX_NESTING) {
          throw EnvelopeParser.tooDeep();
        }
      } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
        depth--;
      }
    }
  }

  /** True if the object has a top-level {@code type}, whatever its value. */
  boolean hasType() {
    return typePresent;
  }

  /** The last top-level {@code type} if it is a string, else null. */
  String type() {
    return type;
  }

  /** The last top-level {@code targetId} if it is a string, else null. */
  String targetId() {
    return targetId;
  }

  /**
   * The whole frame as an object, for the types whose fields are read (not relays). Parsed from
   * the bytes by Vert.x's streaming codec with this scan's parser class, not by {@code new
   * JsonObject(text)} on a String made from them, which runs Jackson's other parser, the one for
   * characters (and jackson-databind where it is on the class path, as in the tests):
   * on a node that has just started, a join burst is where that code would first run, interpreted
   * and then compiled (docs/benchmarks.md). The values are the same either way.
   */
  JsonObject object() {
    try {
      return (JsonObject) JacksonCodec.fromParser(FACTORY.createParser(bytes), Object.class);
    } catch (DecodeException | IOException | ClassCastException e) {
      throw badJson();
    }
  }

  /** The frame's members as a relay passes them on: all but {@code targetId} and {@code senderId}. */
  RelayPayload relayPayload() {
    int kept = 0;
    int[] spans = new int[members * 2];
    for (int i = 0; i < members; i++) {
      if (!relayedOn[i]) {
        continue;
      }
      int from = memberStarts[i];
      int to = i + 1 < members ? memberStarts[i + 1] : end;
      // between a value and the next key there is only whitespace and one comma
      to = trimEnd(from, to);
      if (bytes[to - 1] == ',') {
        to = trimEnd(from, to - 1);
      }
      spans[kept * 2] = from;
      spans[kept * 2 + 1] = to;
      kept++;
    }
    return new RelayPayload(bytes, spans, kept);
  }

  private int trimEnd(int from, int to) {
    while (to > from && isWhitespace(bytes[to - 1])) {
      to--;
    }
    return to;
  }

  private static boolean isWhitespace(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  private void member(int start, String key) {
    if (members == memberStarts.length) {
      memberStarts = Arrays.copyOf(memberStarts, members * 2);
      relayedOn = Arrays.copyOf(relayedOn, members * 2);
    }
    memberStarts[members] = start;
    relayedOn[members] = !TARGET_ID.equals(key) && !SENDER_ID.equals(key);
    members++;
  }

  private static SignalingException badJson() {
    return new SignalingException(ErrorCode.BAD_JSON, "a frame must hold one JSON object");
  }
}
