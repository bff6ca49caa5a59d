package io.signalmesh.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.Arrays;

/**
 * One streaming pass over a frame: checks that it is exactly one well-formed JSON object (the
 * same parser and limits as {@code new JsonObject(text)}) and notes the top-level {@code type}
 * and {@code targetId} and where each top-level member starts. A relay is then passed on by
 * cutting the frame's text ({@link RelayPayload}) instead of building a tree and encoding it
 * again, the largest cost of a relay in the JVM (docs/benchmarks.md).
 *
 * <p>Like a parsed object, a key given twice counts with its last value.
 */
final class TopLevelScan {

  static final String TYPE = "type";
  static final String TARGET_ID = "targetId";
  static final String SENDER_ID = "senderId";

  private final String text;
  private String type;
  private boolean typePresent;
  private String targetId;
  private int[] memberStarts = new int[8];
  private boolean[] relayedOn = new boolean[8];
  private int members;
  private int end;

  private TopLevelScan(String text) {
    this.text = text;
  }

  /** @throws SignalingException {@code bad-json} unless the text is one JSON object and nothing else */
  static TopLevelScan of(String text) {
    TopLevelScan scan = new TopLevelScan(text);
    try (JsonParser parser = JacksonCodec.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw badJson();
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        scan.member((int) parser.currentTokenLocation().getCharOffset(), key);
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
      scan.end = (int) parser.currentTokenLocation().getCharOffset();
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
      if (text.charAt(to - 1) == ',') {
        to = trimEnd(from, to - 1);
      }
      spans[kept * 2] = from;
      spans[kept * 2 + 1] = to;
      kept++;
    }
    return new RelayPayload(text, spans, kept);
  }

  private int trimEnd(int from, int to) {
    while (to > from && isWhitespace(text.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  private static boolean isWhitespace(char c) {
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
