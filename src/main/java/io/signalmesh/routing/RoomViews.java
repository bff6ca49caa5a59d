package io.signalmesh.routing;

import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local views of every room that has a member on this node (architecture.md, Routing).
 * Rooms without a local member are not tracked: events for them are ignored.
 */
public final class RoomViews {

  /** How long a departure outranks store snapshots; far longer than any join round trip. */
  static final Duration TOMBSTONE_TTL = Duration.ofSeconds(60);

  private final String localNodeId;
  private final ConcurrentHashMap<RoomId, RoomView> views = new ConcurrentHashMap<>();

  public RoomViews(String localNodeId) {
    this.localNodeId = localNodeId;
  }

  /** A local member joined: track the room (if new) with the store's snapshot of the others. */
  public void localJoin(RoomId room, Member member, Collection<Member> others) {
    while (true) {
      RoomView view = views.computeIfAbsent(room, r -> new RoomView());
      if (view.joined(member) && view.merge(others)) {
        return;
      }
      views.remove(room, view);
    }
  }

  /** A member of another node joined a room we track. */
  public void remoteJoin(RoomId room, Member member) {
    RoomView view = views.get(room);
    if (view != null) {
      view.joined(member);
    }
  }

  /** A member left; the view is dropped once no local member remains. */
  public void left(RoomId room, ClientId id) {
    RoomView view = views.get(room);
    if (view == null) {
      return;
    }
    view.left(id, System.nanoTime());
    if (view.retireIfNoLocalMember(localNodeId)) {
      views.remove(room, view);
    }
  }

  /** The member if it is in the room, else null. */
  public Member member(RoomId room, ClientId id) {
    RoomView view = views.get(room);
    return view == null ? null : view.get(id);
  }

  public Collection<Member> members(RoomId room) {
    RoomView view = views.get(room);
    return view == null ? List.of() : view.members();
  }

  public int size() {
    return views.size();
  }

  /** Drops tombstones old enough that no snapshot taken before them can still be in flight. */
  public void sweep() {
    long cutoff = System.nanoTime() - TOMBSTONE_TTL.toNanos();
    views.values().forEach(view -> view.forgetDeparturesBefore(cutoff));
  }
}
