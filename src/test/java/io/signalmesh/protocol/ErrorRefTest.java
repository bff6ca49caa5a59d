package io.signalmesh.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code ref} of an error names the offending type, cut when long (found by the generated hostile frames). */
class ErrorRefTest {

  @Test
  void aLongTypeIsCutAfter64Characters() {
    String type = "t".repeat(100);
    assertThat(EnvelopeParser.typeOf("{\"type\":\"" + type + "\"}")).isEqualTo("t".repeat(64) + "...");
  }

  @Test
  void aLongTypeIsNeverCutInsideACharacter() {
    // an emoji takes two UTF-16 units, here the 64th and 65th: half of it would reach the client as '?'
    String type = "t".repeat(63) + "\uD83D\uDE00" + "t".repeat(10);
    String ref = EnvelopeParser.typeOf("{\"type\":\"" + type + "\"}");
    assertThat(ref).isEqualTo("t".repeat(63) + "...");
    assertThat(ref.chars().noneMatch(c -> Character.isSurrogate((char) c))).isTrue();
  }
}
