package io.signalmesh.auth;

import io.signalmesh.session.RoomId;
import java.time.Instant;
import java.util.Objects;

/**
 * What a verified room token grants: who the holder is and which rooms it may join, until when.
 *
 * @param subject the holder's identity (the {@code sub} claim)
 * @param room a room id, a room id prefix ending in {@code *}, or a bare {@code *} for every room
 * @param name display name, or null
 * @param expiresAt when the token stops being accepted (the {@code exp} claim)
 * @param notBefore when the token starts being accepted (the {@code nbf} claim), or null
 * @param capacity the room capacity the token asks for, or null for the configured default
 * @param canPublish whether the holder may send media; true when the claim is absent, so tokens
 *     minted before the claim existed keep working
 */
public record RoomToken(
    String subject,
    String room,
    String name,
    Instant expiresAt,
    Instant notBefore,
    Integer capacity,
    boolean canPublish) {

  public RoomToken {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (!isValidRoomClaim(room)) {
      throw new IllegalArgumentException(
          "room claim must be a room id, a room id prefix ending in *, or *");
    }
    if (capacity != null && capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
  }

  /** True if {@code claim} is a room id, a room id followed by {@code *}, or {@code *}. */
  public static boolean isValidRoomClaim(String claim) {
    if (claim == null) {
      return false;
    }
    String prefix = claim.endsWith("*") ? claim.substring(0, claim.length() - 1) : claim;
    return RoomId.isValid(prefix) || claim.equals("*");
  }

  /**
   * Whether this token lets its holder join {@code roomId}: an exact match, or any room whose id
   * starts with the part before {@code *} (so {@code team-a:*} covers {@code team-a:standup} and
   * {@code team-a:} itself). An invalid room id is never covered, so a {@code *} claim cannot
   * wave through ids the protocol would refuse anyway.
   */
  public boolean covers(String roomId) {
    if (!RoomId.isValid(roomId)) {
      return false;
    }
    if (room.endsWith("*")) {
      return roomId.startsWith(room.substring(0, room.length() - 1));
    }
    return room.equals(roomId);
  }

  public boolean covers(RoomId roomId) {
    return roomId != null && covers(roomId.value());
  }
}
