package io.signalmesh.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The nesting limit of frames, EnvelopeParser.MAX_NESTING, for relays too. */
class NestingLimitTest {

  private final EnvelopeParser parser = new EnvelopeParser(new FieldLimits(64, 1024));

  @Test
  void aFrameNestedExactlyToTheLimitIsParsed() {
    String frame = "{\"type\":\"ping\",\"x\":" + "[".repeat(EnvelopeParser.MAX_NESTING - 1)
        + "]".repeat(EnvelopeParser.MAX_NESTING - 1) + "}";
    assertThat(parser.parse(frame).type()).isEqualTo(MessageType.PING);
  }

  @Test
  void aFrameNestedOneLevelPastTheLimitIsRefusedAsBadJson() {
    String frame = "{\"type\":\"ping\",\"x\":" + "[".repeat(EnvelopeParser.MAX_NESTING)
        + "]".repeat(EnvelopeParser.MAX_NESTING) + "}";
    assertThatThrownBy(() -> parser.parse(frame)).isInstanceOfSatisfying(SignalingException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON));
  }

  @Test
  void aRelayIsHeldToTheSameLimitThoughItsPayloadIsPassedOnUnparsed() {
    String atLimit = "{\"type\":\"offer\",\"targetId\":\"p\",\"sdp\":" + "[".repeat(EnvelopeParser.MAX_NESTING - 1)
        + "]".repeat(EnvelopeParser.MAX_NESTING - 1) + "}";
    String pastLimit = "{\"type\":\"offer\",\"targetId\":\"p\",\"sdp\":" + "[".repeat(EnvelopeParser.MAX_NESTING)
        + "]".repeat(EnvelopeParser.MAX_NESTING) + "}";
    assertThat(parser.parse(atLimit).type()).isEqualTo(MessageType.OFFER);
    assertThatThrownBy(() -> parser.parse(pastLimit)).isInstanceOfSatisfying(SignalingException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_JSON));
  }

  @Test
  void bracketsInsideStringsDoNotCount() {
    String frame = "{\"type\":\"ping\",\"x\":\"" + "[{\\\"".repeat(500) + "\"}";
    assertThat(parser.parse(frame).type()).isEqualTo(MessageType.PING);
  }

  @Test
  void theTypeOfAFrameNestedThousandsDeepIsNotReadAndNothingOverflows() {
    String frame = "{\"type\":\"offer\",\"x\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000) + "}";
    assertThat(EnvelopeParser.typeOf(frame)).isNull();
    assertThatThrownBy(() -> parser.parse(frame)).isInstanceOf(SignalingException.class);
  }
}
