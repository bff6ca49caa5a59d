package io.signalmesh.signaling;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.protocol.SignalingException;
import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;

/** Token mode: a session may join the rooms its token covers, with the token's capacity if it names one. */
public final class TokenRoomAccess implements RoomAccess {

  @Override
  public int capacityFor(Session session, RoomId room, int defaultCapacity) {
    RoomToken grant = session.grant();
    if (grant == null || !grant.covers(room)) {
      throw new SignalingException(ErrorCode.FORBIDDEN, "your token does not cover room " + room);
    }
    return grant.capacity() != null ? grant.capacity() : defaultCapacity;
  }
}
