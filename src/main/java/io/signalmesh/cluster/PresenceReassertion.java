package io.signalmesh.cluster;

import io.signalmesh.presence.Member;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.routing.RoomViews;
import io.signalmesh.session.RoomId;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import io.signalmesh.signaling.SessionRecords;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes everything this node holds back into the presence store: each live session's record
 * and each of its memberships, as this node's room views know them. Used when the store lost
 * its data; idempotent, capacity ignored (these members are in their rooms already).
 */
public final class PresenceReassertion {

  private final SessionRegistry sessions;
  private final RoomViews views;
  private final PresenceStore presence;
  private final SessionRecords records;

  public PresenceReassertion(SessionRegistry sessions, RoomViews views, PresenceStore presence, SessionRecords records) {
    this.sessions = sessions;
    this.views = views;
    this.presence = presence;
    this.records = records;
  }

  /** Completes with the number of memberships written. */
  public Future<Integer> run() {
    List<Future<?>> writes = new ArrayList<>();
    for (Session session : sessions.all()) {
      if (session.state() == Session.State.ENDED) {
        continue;
      }
      records.save(session);
      for (RoomId room : session.rooms()) {
        Member member = views.member(room, session.id());
        if (member != null) {
          writes.add(presence.join(room, member, Integer.MAX_VALUE));
        }
      }
    }
    return Future.all(writes).map(done -> writes.size());
  }
}
