package io.signalmesh.protocol;

import java.util.HashMap;
import java.util.Map;

/** The message types a client may send (protocol.md), by their wire names. */
public enum MessageType {
  JOIN_ROOM("join-room"),
  LEAVE_ROOM("leave-room"),
  OFFER("offer"),
  ANSWER("answer"),
  ICE_CANDIDATE("ice-candidate"),
  END_CALL("end-call"),
  BROADCAST("broadcast"),
  GET_PEERS("get-peers"),
  PING("ping");

  private static final Map<String, MessageType> BY_WIRE_NAME = new HashMap<>();

  static {
    for (MessageType type : values()) {
      BY_WIRE_NAME.put(type.wireName, type);
    }
  }

  private final String wireName;

  MessageType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Relayed peer to peer with {@code targetId}: the payload passes through unchanged. */
  public boolean isRelay() {
    return this == OFFER || this == ANSWER || this == ICE_CANDIDATE || this == END_CALL;
  }

  /** The type for a wire name, or null if the protocol has none. */
  public static MessageType fromWireName(String name) {
    return BY_WIRE_NAME.get(name);
  }
}
