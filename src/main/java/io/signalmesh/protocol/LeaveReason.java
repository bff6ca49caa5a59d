package io.signalmesh.protocol;

/** Why a participant left a room ({@code participant-left.reason}). */
public enum LeaveReason {
  LEFT("left"),
  DISCONNECTED("disconnected"),
  KICKED("kicked"),
  NODE_FAILURE("node-failure");

  private final String wireName;

  LeaveReason(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
