package io.signalmesh.routing;

import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local views of every room that has a member on this node (architecture.md, Routing).
 * Rooms without a local member are not tracked, but their events are kept for a moment: two
 * clients joining one room on two nodes at once each get the other's join announced, and the
 * announcement can arrive before this node's own join is back from the store (whose snapshot
 * then lacks the other joiner). Events kept that way are applied when the room is tracked.
 */
public final class RoomViews {

  /** How long a departure outranks store snapshots; far longer than any join round trip. */
  static final Duration TOMBSTONE_TTL = Duration.ofSeconds(60);

  private final String localNodeId;
  private final ConcurrentHashMap<RoomId, RoomView> views = new ConcurrentHashMap<>();
  /** Events for rooms not tracked yet, oldest first; guarded by the map entry of their room in {@link #views}. */
  private final ConcurrentHashMap<RoomId, List<EarlyEvent>> early = new ConcurrentHashMap<>();

  /** A join (member set) or a departure (left set) that came before the room was tracked. */
  private record EarlyEvent(Member joined, ClientId left, long atNanos) {}

  public RoomViews(String localNodeId) {
    this.localNodeId = localNodeId;
  }

  /** A local member joined: track the room (if new) with the store's snapshot of the others. */
  public void localJoin(RoomId room, Member member, Collection<Member> others) {
    while (true) {
      RoomView view = views.computeIfAbsent(room, r -> new RoomView());
      if (view.joined(member) && view.merge(others) && replayEarly(room, view)) {
        return;
      }
      views.remove(room, view);
    }
  }

  /** A member of another node joined a room: applied to its view, or kept until the room is tracked. */
  public void remoteJoin(RoomId room, Member member) {
    views.compute(room, (r, view) -> {
      if (view != null && view.joined(member)) {
        return view;
      }
      keepEarly(r, new EarlyEvent(member, null, System.nanoTime()));
      return view;
    });
  }

  /** A member left; the view is dropped once no local member remains. */
  public void left(RoomId room, ClientId id) {
    long now = System.nanoTime();
    RoomView view = views.compute(room, (r, tracked) -> {
      if (tracked == null) {
        keepEarly(r, new EarlyEvent(null, id, now));
      }
      return tracked;
    });
    if (view == null) {
      return;
    }
    view.left(id, now);
    if (view.retireIfNoLocalMember(localNodeId)) {
      views.remove(room, view);
    }
  }

  /** Called inside the room's map entry, so no event slips between keeping and replaying. */
  private void keepEarly(RoomId room, EarlyEvent event) {
    early.computeIfAbsent(room, r -> new ArrayList<>()).add(event);
  }

  /** Applies, in arrival order, the events that came before the room was tracked; false if the view retired meanwhile. */
  private boolean replayEarly(RoomId room, RoomView view) {
    List<EarlyEvent> events = new ArrayList<>();
    views.computeIfPresent(room, (r, tracked) -> {
      List<EarlyEvent> kept = early.remove(r);
      if (kept != null) {
        events.addAll(kept);
      }
      return tracked;
    });
    for (EarlyEvent event : events) {
      if (event.joined() != null) {
        if (!view.joined(event.joined())) {
          return false;
        }
      } else {
        view.left(event.left(), event.atNanos());
      }
    }
    return true;
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
    for (RoomId room : List.copyOf(early.keySet())) {
      views.compute(room, (r, view) -> {
        List<EarlyEvent> kept = early.get(r);
        if (kept != null) {
          kept.removeIf(event -> event.atNanos() - cutoff < 0);
          if (kept.isEmpty()) {
            early.remove(r);
          }
        }
        return view;
      });
    }
  }

  /** Forgets every view and kept event: the node no longer serves any room (it was declared dead). */
  public void clear() {
    views.clear();
    early.clear();
  }
}
