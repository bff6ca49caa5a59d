package io.signalmesh.bench;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * The few fields the load generator reads from a frame the server sent, found without parsing
 * the whole frame when it is compact JSON (what both servers send), with a full parse as the
 * fallback. Keeps the generator's own CPU per message small next to the server's.
 */
public final class Frame {

  private static final String TYPE = "type";
  private static final String TYPE_KEY = key(TYPE);
  private static final String SENDER_KEY = key("senderId");

  private final String text;
  private JsonObject parsed;
  private String type;

  public Frame(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  /** The {@code type}, found once: the receiving client and the scenario's listener both ask. */
  public String type() {
    if (type == null) {
      type = string(TYPE, TYPE_KEY);
    }
    return type;
  }

  public String senderId() {
    return string("senderId", SENDER_KEY);
  }

  /** A top-level (or uniquely named) string field, or null. */
  public String string(String field) {
    return string(field, key(field));
  }

  private static String key(String field) {
    return "\"" + field + "\":\"";
  }

  private String string(String field, String key) {
    int start = text.indexOf(key);
    if (start >= 0) {
      start += key.length();
      int end = text.indexOf('"', start);
      if (end > start && text.lastIndexOf('\\', end) < start) {
        return text.substring(start, end);
      }
    }
    Object value = json().getValue(field);
    return value instanceof String s ? s : null;
  }

  /** The whole frame as JSON (an empty object when it is not JSON). */
  public JsonObject json() {
    if (parsed == null) {
      try {
        parsed = new JsonObject(text);
      } catch (DecodeException | ClassCastException e) {
        parsed = new JsonObject();
      }
    }
    return parsed;
  }
}
