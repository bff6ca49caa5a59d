package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.auth.RoomToken;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.Session;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A session that ends before its room token expires is forgotten at once (found by the hostile
 * clients soak: every ended token-mode session stayed in memory, held by its expiry timer, until
 * its token's exp, so reconnecting clients grew the heap without bound).
 */
@Timeout(30)
class TokenExpiryForgetTest {

  private final Vertx vertx = Vertx.vertx();
  private final TokenExpiry expiry = new TokenExpiry(vertx, Duration.ZERO, Clock.systemUTC());

  @AfterEach
  void closeVertx() {
    vertx.close().await();
  }

  @Test
  void aForgottenSessionIsNeitherHeldNorExpired() throws InterruptedException {
    AtomicBoolean forgottenExpired = new AtomicBoolean();
    CountDownLatch laterExpired = new CountDownLatch(1);
    Session forgotten = sessionExpiringIn(Duration.ofSeconds(1));
    Session later = sessionExpiringIn(Duration.ofSeconds(2));
    expiry.watch(forgotten, s -> forgottenExpired.set(true));
    expiry.watch(later, s -> laterExpired.countDown());
    assertThat(expiry.watching()).isEqualTo(2);

    expiry.forget(forgotten);

    assertThat(expiry.watching()).isEqualTo(1);
    // the forgotten session's timer would have fired first
    assertThat(laterExpired.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(forgottenExpired).isFalse();
    assertThat(expiry.watching()).isZero();
  }

  @Test
  void openModeSessionsAreNotWatched() {
    expiry.watch(new Session(ClientId.random(), "open", null, 1, null), s -> { });
    assertThat(expiry.watching()).isZero();
  }

  private static Session sessionExpiringIn(Duration ttl) {
    RoomToken grant = new RoomToken("sub", "*", null, Instant.now().plus(ttl), null, null, true);
    return new Session(ClientId.random(), "token-" + ttl, null, 1, grant);
  }
}
