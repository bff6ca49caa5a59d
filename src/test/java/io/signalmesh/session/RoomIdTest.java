package io.signalmesh.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** protocol.md: a room id is 1-128 characters of {@code [A-Za-z0-9_.:-]}. */
class RoomIdTest {

  private static final String ALLOWED =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-";

  @Test
  void everyAllowedCharacterMakesAValidRoomIdAndNoOtherCharacterDoes() {
    for (char c = 0; c < 0x3000; c++) {
      String id = "room" + c;
      assertThat(RoomId.isValid(id)).as("room id with U+%04X", (int) c).isEqualTo(ALLOWED.indexOf(c) >= 0);
    }
  }

  @Test
  void lettersAndDigitsOfOtherScriptsAreRefused() {
    assertThat(RoomId.isValid("caf\u00e9")).isFalse();
    assertThat(RoomId.isValid("\uff11\uff12")).as("fullwidth digits").isFalse();
    assertThat(RoomId.isValid("\u0661")).as("Arabic-Indic digit").isFalse();
    assertThat(RoomId.isValid("room\ud83d\ude00")).as("emoji").isFalse();
  }

  @Test
  void aRoomIdHasOneTo128Characters() {
    assertThat(RoomId.isValid("")).isFalse();
    assertThat(RoomId.isValid("a")).isTrue();
    assertThat(RoomId.isValid("a".repeat(128))).isTrue();
    assertThat(RoomId.isValid("a".repeat(129))).isFalse();
    assertThat(RoomId.isValid(null)).isFalse();
  }

  @Test
  void anInvalidIdCannotBeMadeIntoARoomId() {
    assertThatThrownBy(() -> new RoomId("has space")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new RoomId("team-a:call_1.2").value()).isEqualTo("team-a:call_1.2");
  }
}
