package io.signalmesh.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.session.ClientId;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames in one batch reach the receiver with the headers and bytes each would have carried alone. */
class LinkBatchTest {

  private static final byte[] OFFER = "{\"type\":\"offer\",\"sdp\":\"é€😀\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] JOINED = "{\"type\":\"participant-joined\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void eachFrameKeepsItsOwnHeadersAndBytesAndGetsTheSharedOnes() {
    MultiMap joinedHeaders = MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.TO, "a,b").add(LinkHeaders.EVENT, LinkHeaders.JOINED)
        .add(LinkHeaders.ROOM, "räum").add(LinkHeaders.MEMBER, "{\"id\":\"c\"}");
    List<NodeLink.Pending> frames = List.of(
        new NodeLink.Pending(7, 1_700_000_000_000L, 0, List.of(new ClientId("a")), OFFER,
            MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.TO, "a"), new ClientId("o")),
        new NodeLink.Pending(8, 1_700_000_000_001L, 0, List.of(), JOINED, joinedHeaders, null),
        new NodeLink.Pending(9, 1_700_000_000_002L, 0, List.of(), new byte[0], null, null));
    MultiMap shared = MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.BATCH, "3").add(LinkHeaders.FROM, "n1")
        .add(LinkHeaders.RUN, "r1").add(LinkHeaders.BASE, "5").add(LinkHeaders.TO_RUN, "r2");

    List<LinkBatch.Frame> decoded = LinkBatch.decode(shared, LinkBatch.encode(frames));

    assertThat(decoded).hasSize(3);
    assertThat(decoded.get(0).bytes()).isEqualTo(OFFER);
    assertThat(decoded.get(0).headers().get(LinkHeaders.SEQ)).isEqualTo("7");
    assertThat(decoded.get(0).headers().get(LinkHeaders.AT)).isEqualTo("1700000000000");
    assertThat(decoded.get(0).headers().get(LinkHeaders.TO)).isEqualTo("a");
    assertThat(decoded.get(1).bytes()).isEqualTo(JOINED);
    assertThat(decoded.get(1).headers().get(LinkHeaders.SEQ)).isEqualTo("8");
    assertThat(decoded.get(1).headers().get(LinkHeaders.ROOM)).isEqualTo("räum");
    assertThat(decoded.get(1).headers().get(LinkHeaders.MEMBER)).isEqualTo("{\"id\":\"c\"}");
    assertThat(decoded.get(1).headers().get(LinkHeaders.TO)).isEqualTo("a,b");
    assertThat(decoded.get(2).bytes()).isEmpty();
    assertThat(decoded).allSatisfy(frame -> {
      assertThat(frame.headers().get(LinkHeaders.FROM)).isEqualTo("n1");
      assertThat(frame.headers().get(LinkHeaders.RUN)).isEqualTo("r1");
      assertThat(frame.headers().get(LinkHeaders.BASE)).isEqualTo("5");
      assertThat(frame.headers().get(LinkHeaders.TO_RUN)).isEqualTo("r2");
      assertThat(frame.headers().contains(LinkHeaders.BATCH)).isFalse();
    });
  }

  @Test
  void aCountTheBodyHasNoRoomForIsRefusedBeforeAnythingIsAllocated() {
    Buffer one = LinkBatch.encode(List.of(new NodeLink.Pending(1, 0, 0, List.of(), OFFER, null, null)));

    for (String count : List.of("2147483647", "0", "-1")) {
      assertThatThrownBy(() -> LinkBatch.decode(MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.BATCH, count), one))
          .as(count).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch of " + count + " frames in");
    }
    assertThatThrownBy(() -> LinkBatch.decode(MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.BATCH, "two"), one))
        .isInstanceOf(NumberFormatException.class);
  }

  @Test
  void aLengthPastTheEndOfTheBodyIsRefusedBeforeAnythingIsAllocated() {
    Buffer one = LinkBatch.encode(List.of(new NodeLink.Pending(1, 0, 0, List.of(), OFFER, null, null)));
    // the frame's length field follows its sequence number, first sending and header count (0)
    Buffer longFrame = one.copy().setInt(20, Integer.MAX_VALUE - 100);
    Buffer negativeFrame = one.copy().setInt(20, -5);

    for (Buffer body : List.of(longFrame, negativeFrame)) {
      assertThatThrownBy(() -> LinkBatch.decode(MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.BATCH, "1"), body))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cut short")
          .hasRootCauseMessage("field of " + body.getInt(20) + " bytes at 24 of " + body.length());
    }
  }

  @Test
  void aBatchShorterOrLongerThanItsCountIsRefused() {
    Buffer two = LinkBatch.encode(List.of(
        new NodeLink.Pending(1, 0, 0, List.of(), OFFER, null, null),
        new NodeLink.Pending(2, 0, 0, List.of(), OFFER, null, null)));

    assertThatThrownBy(() -> LinkBatch.decode(MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.BATCH, "3"), two))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cut short");
    assertThatThrownBy(() -> LinkBatch.decode(MultiMap.caseInsensitiveMultiMap().add(LinkHeaders.BATCH, "1"), two))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("left over");
  }
}
