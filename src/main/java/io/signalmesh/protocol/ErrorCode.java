package io.signalmesh.protocol;

/** The codes of {@code error} frames (protocol.md, Errors). */
public enum ErrorCode {
  BAD_JSON("bad-json"),
  BAD_MESSAGE("bad-message"),
  UNKNOWN_TYPE("unknown-type"),
  TOO_LARGE("too-large"),
  RATE_LIMITED("rate-limited"),
  UNAUTHORIZED("unauthorized"),
  FORBIDDEN("forbidden"),
  ROOM_FULL("room-full"),
  NOT_IN_ROOM("not-in-room"),
  UNKNOWN_PEER("unknown-peer"),
  UNAVAILABLE("unavailable"),
  INTERNAL("internal");

  private final String wireName;

  ErrorCode(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
