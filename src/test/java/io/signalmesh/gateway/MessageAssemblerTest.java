package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A message reaches the parser as the bytes the client sent, however it was split into frames. */
class MessageAssemblerTest {

  private static final String MESSAGE = "{\"type\":\"offer\",\"targetId\":\"p\",\"sdp\":\"é€😀 v=0\"}";
  private static final byte[] BYTES = MESSAGE.getBytes(StandardCharsets.UTF_8);

  private static WebSocketFrame text(byte[] bytes, boolean last) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(bytes), last);
  }

  @Test
  void aSingleFrameGivesItsBytesUnchanged() {
    MessageAssembler.Result result = new MessageAssembler(1024).add(text(BYTES, true));

    assertThat(result.outcome()).isEqualTo(MessageAssembler.Outcome.MESSAGE);
    assertThat(result.utf8()).isEqualTo(BYTES);
  }

  @Test
  void framesSplitInsideMultiByteCharactersAreJoinedIntoTheOriginalBytes() {
    int euro = MESSAGE.indexOf('€');
    int cut1 = new String(MESSAGE.substring(0, euro)).getBytes(StandardCharsets.UTF_8).length + 1; // inside '€'
    int cut2 = BYTES.length - 6; // inside the 4 bytes of the emoji
    MessageAssembler assembler = new MessageAssembler(1024);

    assertThat(assembler.add(text(Arrays.copyOfRange(BYTES, 0, cut1), false)).outcome())
        .isEqualTo(MessageAssembler.Outcome.INCOMPLETE);
    assertThat(assembler.add(WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(BYTES, cut1, cut2)), false))
        .outcome()).isEqualTo(MessageAssembler.Outcome.INCOMPLETE);
    MessageAssembler.Result result = assembler.add(
        WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(BYTES, cut2, BYTES.length)), true));

    assertThat(result.outcome()).isEqualTo(MessageAssembler.Outcome.MESSAGE);
    assertThat(result.utf8()).isEqualTo(BYTES);
  }

  @Test
  void fragmentsTogetherPastTheLimitAreTooLarge() {
    MessageAssembler assembler = new MessageAssembler(BYTES.length - 1);

    assembler.add(text(Arrays.copyOfRange(BYTES, 0, 10), false));
    MessageAssembler.Result result = assembler.add(
        WebSocketFrame.continuationFrame(Buffer.buffer(Arrays.copyOfRange(BYTES, 10, BYTES.length)), true));

    assertThat(result.outcome()).isEqualTo(MessageAssembler.Outcome.TOO_LARGE);
  }
}
