package io.signalmesh.routing;

import io.signalmesh.presence.Member;
import io.signalmesh.session.ClientId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's picture of one room: its members and the node each is on. Filled from the
 * presence store at join and kept current by room events; read on every relay without locks.
 *
 * <p>A snapshot from the store can be older than events already applied (a member that left
 * while our join was in flight), so departures leave a tombstone for a while and a snapshot
 * never resurrects a member with one. Events always win.
 */
final class RoomView {

  private final ConcurrentHashMap<ClientId, Member> members = new ConcurrentHashMap<>();
  private final Map<ClientId, Long> departedAt = new HashMap<>();
  private boolean retired;

  Member get(ClientId id) {
    return members.get(id);
  }

  Collection<Member> members() {
    return members.values();
  }

  /** Applies a join; false if the view was retired and must be fetched again. */
  synchronized boolean joined(Member member) {
    if (retired) {
      return false;
    }
    departedAt.remove(member.clientId());
    members.put(member.clientId(), member);
    return true;
  }

  synchronized boolean merge(Collection<Member> snapshot) {
    if (retired) {
      return false;
    }
    for (Member member : snapshot) {
      if (!departedAt.containsKey(member.clientId())) {
        members.putIfAbsent(member.clientId(), member);
      }
    }
    return true;
  }

  synchronized void left(ClientId id, long nowNanos) {
    members.remove(id);
    departedAt.put(id, nowNanos);
  }

  /** Retires the view if no member is on {@code localNodeId} any more. */
  synchronized boolean retireIfNoLocalMember(String localNodeId) {
    for (Member member : members.values()) {
      if (member.nodeId().equals(localNodeId)) {
        return false;
      }
    }
    retired = true;
    return true;
  }

  synchronized void forgetDeparturesBefore(long nanos) {
    departedAt.values().removeIf(at -> at - nanos < 0);
  }
}
