package io.signalmesh.signaling;

import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;

/**
 * Who may join which room, and how many a room holds. Open mode lets anyone in with the
 * configured capacity; token mode checks the session's room token.
 */
public interface RoomAccess {

  /**
   * The capacity to enforce for this session joining {@code room}.
   *
   * @throws io.signalmesh.protocol.SignalingException {@code forbidden} if the session may not join it
   */
  int capacityFor(Session session, RoomId room, int defaultCapacity);

  /** Open mode: everyone may join every room. */
  static RoomAccess open() {
    return (session, room, defaultCapacity) -> defaultCapacity;
  }
}
