package io.signalmesh.signaling;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.session.Session;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A session lives no longer than the room token it connected with: when the token's
 * {@code exp} (plus the clock leeway) passes, the session is ended. Open-mode sessions have no
 * token and no end.
 */
public final class TokenExpiry {

  private final Vertx vertx;
  private final Duration leeway;
  private final Clock clock;

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
    vertx.setTimer(Math.max(1, delay), id -> expire.accept(session));
  }
}
