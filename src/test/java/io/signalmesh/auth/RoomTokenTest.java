package io.signalmesh.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.session.RoomId;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RoomTokenTest {

  private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");

  private static RoomToken forRoom(String claim) {
    return new RoomToken("ada", claim, null, EXP, null, null, true);
  }

  @Test
  void exactClaimCoversOnlyThatRoom() {
    RoomToken token = forRoom("standup");

    assertThat(token.covers("standup")).isTrue();
    assertThat(token.covers("standup-2")).isFalse();
    assertThat(token.covers("stand")).isFalse();
  }

  @Test
  void prefixClaimCoversRoomsStartingWithThePrefix() {
    RoomToken token = forRoom("team-a:*");

    assertThat(token.covers("team-a:standup")).isTrue();
    assertThat(token.covers("team-a:")).isTrue();
    assertThat(token.covers(new RoomId("team-a:retro"))).isTrue();
    assertThat(token.covers("team-b:standup")).isFalse();
    assertThat(token.covers("team-a")).isFalse();
  }

  @Test
  void bareStarCoversEveryValidRoom() {
    RoomToken token = forRoom("*");

    assertThat(token.covers("r1")).isTrue();
    assertThat(token.covers("x".repeat(128))).isTrue();
  }

  @Test
  void neverCoversAnInvalidRoomId() {
    RoomToken token = forRoom("*");

    assertThat(token.covers("has space")).isFalse();
    assertThat(token.covers("")).isFalse();
    assertThat(token.covers((String) null)).isFalse();
    assertThat(token.covers("x".repeat(129))).isFalse();
  }

  @Test
  void starIsLiteralOnlyAtTheEndOfAClaim() {
    assertThat(RoomToken.isValidRoomClaim("a*b")).isFalse();
    assertThat(RoomToken.isValidRoomClaim("**")).isFalse();
    assertThat(RoomToken.isValidRoomClaim("*a")).isFalse();
    assertThat(RoomToken.isValidRoomClaim("")).isFalse();
    assertThat(RoomToken.isValidRoomClaim("a.b:c_d-e*")).isTrue();
  }

  @Test
  void aClaimIsARoomIdBeforeItsStar() {
    assertThat(RoomToken.isValidRoomClaim("x".repeat(128))).isTrue();
    assertThat(RoomToken.isValidRoomClaim("x".repeat(128) + "*")).isTrue();
    assertThat(RoomToken.isValidRoomClaim("x".repeat(129))).isFalse();
    assertThat(RoomToken.isValidRoomClaim("x".repeat(129) + "*")).isFalse();
    assertThat(RoomToken.isValidRoomClaim("caf\u00e9*")).isFalse();
    assertThat(RoomToken.isValidRoomClaim("has space*")).isFalse();
  }

  @Test
  void refusesToBuildATokenWithAnInvalidRoomClaim() {
    assertThatThrownBy(() -> forRoom("a b")).isInstanceOf(IllegalArgumentException.class);
  }
}
