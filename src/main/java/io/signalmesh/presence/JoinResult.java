package io.signalmesh.presence;

import java.util.List;

/** What a join into the presence store came to. */
public sealed interface JoinResult {

  /**
   * The member is in the room.
   *
   * @param others the room's other members after the join
   * @param rejoined true if it was already a member (join is idempotent)
   */
  record Joined(List<Member> others, boolean rejoined) implements JoinResult {
    public Joined {
      others = List.copyOf(others);
    }
  }

  /** The room already holds {@code capacity} members; nothing changed. */
  record Full(int capacity) implements JoinResult {}
}
