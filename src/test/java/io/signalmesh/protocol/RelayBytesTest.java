package io.signalmesh.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A relay is read and passed on as bytes: what a target receives must be the sender's payload
 * byte for byte, valid UTF-8 and one JSON object, whatever characters and escapes it holds.
 */
class RelayBytesTest {

  private static final ClientId SENDER = new ClientId("sender-1");
  private final EnvelopeParser parser = new EnvelopeParser(new FieldLimits(64, 1024));

  private byte[] relayed(byte[] frame) {
    return ServerMessages.relayedUtf8(parser.parse(frame).relay(), SENDER);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private ErrorCode refusal(byte[] frame) {
    return catchThrowableOfType(SignalingException.class, () -> parser.parse(frame)).code();
  }

  @Test
  void multiByteCharactersBeforeAndAfterTheCutMembersArriveByteForByte() {
    // 2-, 3- and 4-byte characters in keys and values on both sides of targetId: the cuts are
    // byte offsets, so a character counted as one char would shift them
    String frame = "{\"type\":\"offer\",\"ñame\":\"é€😀\",\"targetId\":\"p\",\"sdp\":\"ü€𝄞 v=0\",\"😀\":[\"€\"]}";

    byte[] out = relayed(utf8(frame));

    assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(
        "{\"type\":\"offer\",\"ñame\":\"é€😀\",\"sdp\":\"ü€𝄞 v=0\",\"😀\":[\"€\"],\"senderId\":\"sender-1\"}");
  }

  @Test
  void escapesAreNotDecodedOnTheWay() {
    String frame = "{\"type\":\"ice-candidate\",\"targetId\":\"p\",\"c\":\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\n\"}";

    assertThat(new String(relayed(utf8(frame)), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"ice-candidate\",\"c\":\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\n\",\"senderId\":\"sender-1\"}");
  }

  @Test
  void aSenderIdInTheInputIsDroppedFirstInTheMiddleOrLast() {
    String frame = "{\"senderId\":\"x€\" , \"type\":\"answer\",\"senderId\":\"y\",\"targetId\":\"p\",\"sdp\":\"é\",\"senderId\":\"z\"}";

    assertThat(new String(relayed(utf8(frame)), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"answer\",\"sdp\":\"é\",\"senderId\":\"sender-1\"}");
  }

  @Test
  void aSenderIdThatNeedsEscapingIsEscaped() {
    byte[] out = ServerMessages.relayedUtf8(parser.parse(utf8("{\"type\":\"offer\",\"targetId\":\"p\"}")).relay(),
        new ClientId("a\"b\\é"));

    assertThat(new JsonObject(new String(out, StandardCharsets.UTF_8)).getString("senderId")).isEqualTo("a\"b\\é");
  }

  @Test
  void bytesAndTextGiveTheSameRelayedFrame() {
    String frame = "{ \"type\" : \"end-call\" ,\n\"targetId\":\"p\",\t\"why\":\"é 😀\" }";

    assertThat(relayed(utf8(frame))).isEqualTo(utf8(ServerMessages.relayed(parser.parse(frame).relay(), SENDER)));
  }

  @Test
  void invalidUtf8IsPassedOnAsReplacementCharactersNeverAsTheBadBytes() {
    byte[] prefix = utf8("{\"type\":\"offer\",\"targetId\":\"p\",\"sdp\":\"a");
    byte[] suffix = utf8("b\"}");
    byte[][] bad = {
        {(byte) 0x80}, // a lone continuation byte
        {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
        {(byte) 0xE2, (byte) 0x82}, // truncated
        {(byte) 0xFF},
    };
    for (byte[] b : bad) {
      byte[] frame = concat(prefix, b, suffix);

      byte[] out = relayed(frame);

      assertThat(Utf8.isValid(out, 0, out.length)).as("valid UTF-8 out for %s", java.util.Arrays.toString(b)).isTrue();
      assertThat(new JsonObject(new String(out, StandardCharsets.UTF_8)).getString("sdp"))
          .isEqualTo(new JsonObject(new String(frame, StandardCharsets.UTF_8)).getString("sdp"))
          .startsWith("a\uFFFD").endsWith("b");
    }
  }

  @Test
  void jsonInUtf16IsRefusedAsBadJsonNotReadInAnotherEncoding() {
    String json = "{\"type\":\"offer\",\"targetId\":\"p\"}";

    assertThat(refusal(json.getBytes(StandardCharsets.UTF_16LE))).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal(json.getBytes(StandardCharsets.UTF_16BE))).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal(json.getBytes(StandardCharsets.UTF_16))).isEqualTo(ErrorCode.BAD_JSON);
    assertThat(refusal(concat(new byte[] {0, 0, 0}, utf8(json)))).isEqualTo(ErrorCode.BAD_JSON);
  }

  @Test
  void aByteOrderMarkBeforeTheObjectIsRefusedAsBefore() {
    assertThat(refusal(utf8("\uFEFF{\"type\":\"ping\"}"))).isEqualTo(ErrorCode.BAD_JSON);
  }

  @Test
  void utf8CheckAcceptsEveryWellFormedLengthAndItsLimits() {
    String[] good = {"", "a", "é", "€", "😀", "\u007F\u0080\u07FF\u0800\uFFFF", new String(Character.toChars(0x10FFFF)), "\uD7FF\uE000"};
    for (String s : good) {
      byte[] b = utf8(s);
      assertThat(Utf8.isValid(b, 0, b.length)).as(s).isTrue();
    }
    byte[] euro = utf8("x€");
    assertThat(Utf8.isValid(euro, 0, euro.length - 1)).as("cut inside a character").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF}, 0, 3)).as("overlong 3-byte").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, 0, 4)).as("overlong 4-byte").isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, 0, 4)).isFalse();
    assertThat(Utf8.isValid(new byte[] {(byte) 0xC3, (byte) 0x28}, 0, 2)).as("bad continuation").isFalse();
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
