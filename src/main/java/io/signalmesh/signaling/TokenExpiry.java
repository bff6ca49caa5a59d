package io.signalmesh.signaling;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.session.Session;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A session lives no longer than the room token it connected with: when the token's
 * {@code exp} (plus the clock leeway) passes, the session is ended. Open-mode sessions have no
 * token and no end. A session that ends sooner is forgotten at once: its timer would otherwise
 * hold it in memory until its token expires, hours for a typical token.
 */
public final class TokenExpiry {

  private final Vertx vertx;
  private final Duration leeway;
  private final Clock clock;
  /** The pending timer of every watched session (by identity: a session resumed here again is a new object). */
  private final Map<Session, Long> timers = new ConcurrentHashMap<>();

  public TokenExpiry(Vertx vertx, Duration leeway, Clock clock) {
    this.vertx = vertx;
    this.leeway = leeway;
    this.clock = clock;
  }

  /** Calls {@code expire} with the session when its token runs out (at once if it already has). */
  public void watch(Session session, Consumer<Session> expire) {
    RoomToken grant = session.grant();
    if (grant == null) {
      return;
    }
    long delay = grant.expiresAt().plus(leeway).toEpochMilli() - clock.millis();
    long timer = vertx.setTimer(Math.max(1, delay), id -> {
      timers.remove(session, id);
      expire.accept(session);
    });
    Long previous = timers.put(session, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  /** The session ended here (or moved to another node): its token no longer needs watching. */
  public void forget(Session session) {
    Long timer = timers.remove(session);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** Sessions whose token expiry is being watched. */
  public int watching() {
    return timers.size();
  }
}
