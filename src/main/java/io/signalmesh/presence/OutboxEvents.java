package io.signalmesh.presence;

/**
 * The webhook events a membership change leaves in the outbox, written together with the change
 * (in the same Lua script, or under the same lock in memory) and only if the change happened:
 * {@code member} (participant-joined / participant-left) if the join added the member or the
 * leave removed it, {@code room} (room-started / room-finished) if the join created the room or
 * the leave emptied it. Bodies are JSON, stored and later sent byte for byte; null = none.
 */
public record OutboxEvents(String member, String room) {

  /** A change that announces nothing (webhooks off, or a re-assertion of what was already announced). */
  public static final OutboxEvents NONE = new OutboxEvents(null, null);

  public boolean isEmpty() {
    return member == null && room == null;
  }
}
