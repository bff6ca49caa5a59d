package io.signalmesh.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions this node holds, by client id and by session token. Thread-safe. */
public final class SessionRegistry {

  private final ConcurrentHashMap<ClientId, Session> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Session> byToken = new ConcurrentHashMap<>();

  public void add(Session session) {
    byId.put(session.id(), session);
    byToken.put(session.sessionToken(), session);
  }

  public Session get(ClientId id) {
    return byId.get(id);
  }

  public Session byToken(String sessionToken) {
    return sessionToken == null ? null : byToken.get(sessionToken);
  }

  public void remove(Session session) {
    byId.remove(session.id(), session);
    byToken.remove(session.sessionToken(), session);
  }

  public Collection<Session> all() {
    return byId.values();
  }

  public int size() {
    return byId.size();
  }
}
