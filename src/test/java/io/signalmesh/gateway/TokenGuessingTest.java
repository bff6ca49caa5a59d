package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.auth.RoomTokenIssuer;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guessing room tokens and resume tokens: each failure from an address makes its next answer
 * slower; clients from other addresses are answered at once. Measures ordering, not absolute times.
 */
@Timeout(60)
class TokenGuessingTest {

  private static final String SECRET = "a-test-secret-that-is-32-bytes-or-longer";
  private static final int ATTEMPTS = 5;

  @Test
  void repeatedBadRoomTokensGetSlowerAnswersWhileAGoodTokenElsewhereIsAnsweredAtOnce() {
    try (TestNode node = TestNode.start("--token-secret", SECRET, "--auth-failure-delay", "100ms")) {
      long[] answers = new long[ATTEMPTS];
      for (int i = 0; i < ATTEMPTS; i++) {
        try (RawUpgrade guess = RawUpgrade.upgrade("127.0.0.6", node.port(), "/ws?token=guess-" + i, Map.of())) {
          assertThat(guess.status()).isEqualTo(101);
          answers[i] = guess.millisToFirstByte();
        }
      }
      assertThat(answers[ATTEMPTS - 1]).as("answer times %s", java.util.Arrays.toString(answers))
          .isGreaterThan(answers[0]).isGreaterThan(answers[1]);
      String token = new RoomTokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
          .issue("ada", "room", "Ada", Duration.ofMinutes(5), null);
      long start = System.nanoTime();
      try (TestClient ada = node.connect("/ws?token=" + token)) {
        long honest = (System.nanoTime() - start) / 1_000_000;
        assertThat(ada.id()).isNotBlank();
        assertThat(honest).as("an honest client on another address").isLessThan(answers[ATTEMPTS - 1]);
      }
    }
  }

  @Test
  void aGoodTokenFromAFailingAddressWaitsItsTurnToo() {
    try (TestNode node = TestNode.start("--token-secret", SECRET, "--auth-failure-delay", "300ms")) {
      for (int i = 0; i < 3; i++) {
        try (RawUpgrade guess = RawUpgrade.upgrade("127.0.0.8", node.port(), "/ws?token=guess-" + i, Map.of())) {
          guess.millisToFirstByte();
        }
      }
      String token = new RoomTokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
          .issue("ada", "room", "Ada", Duration.ofMinutes(5), null);
      // otherwise a guesser would open many connections and learn the right guess from the fastest answer
      try (RawUpgrade right = RawUpgrade.upgrade("127.0.0.8", node.port(), "/ws?token=" + token, Map.of())) {
        assertThat(right.millisToFirstByte()).isGreaterThanOrEqualTo(300);
      }
    }
  }

  @Test
  void repeatedUnknownResumeTokensGetSlowerFreshSessionsWhileARealResumeElsewhereIsAnsweredAtOnce() {
    try (TestNode node = TestNode.start("--auth-failure-delay", "100ms")) {
      long[] answers = new long[ATTEMPTS];
      for (int i = 0; i < ATTEMPTS; i++) {
        try (RawUpgrade guess = RawUpgrade.upgrade("127.0.0.7", node.port(), "/ws?resume=guess-" + i, Map.of())) {
          assertThat(guess.status()).isEqualTo(101);
          answers[i] = guess.millisToFirstByte();
        }
      }
      assertThat(answers[ATTEMPTS - 1]).as("answer times %s", java.util.Arrays.toString(answers))
          .isGreaterThan(answers[0]).isGreaterThan(answers[1]);
      try (TestClient ada = node.connect()) {
        String sessionToken = ada.sessionToken();
        ada.dropConnection();
        long start = System.nanoTime();
        try (TestClient back = node.connect("/ws?resume=" + sessionToken)) {
          long honest = (System.nanoTime() - start) / 1_000_000;
          assertThat(back.connected().getBoolean("resumed")).isTrue();
          assertThat(honest).as("a real resume from another address").isLessThan(answers[ATTEMPTS - 1]);
        }
      }
    }
  }

  @Test
  void connectionsWithoutTokensInOpenModeAreNeverDelayed() {
    try (TestNode node = TestNode.start("--auth-failure-delay", "2s")) {
      for (int i = 0; i < 3; i++) {
        try (RawUpgrade guess = RawUpgrade.upgrade("127.0.0.9", node.port(), "/ws?resume=guess-" + i, Map.of())) {
          guess.millisToFirstByte();
        }
      }
      try (RawUpgrade plain = RawUpgrade.upgrade("127.0.0.9", node.port(), "/ws", Map.of())) {
        assertThat(plain.millisToFirstByte()).isLessThan(2000);
      }
    }
  }
}
