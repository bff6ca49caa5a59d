package io.signalmesh.routing;

import static io.signalmesh.routing.InboundStreams.Verdict.DELIVER;
import static io.signalmesh.routing.InboundStreams.Verdict.GAP;
import static io.signalmesh.routing.InboundStreams.Verdict.REFUSED;
import static io.signalmesh.routing.InboundStreams.Verdict.REPEAT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a node delivers of the numbered stream another node sends it. */
class InboundStreamsTest {

  private static final long NOW = 1_000_000;
  private final InboundStreams streams = new InboundStreams();

  private InboundStreams.Verdict frame(String run, long seq, long base) {
    return streams.accept("n2", run, seq, base, NOW, NOW);
  }

  @Test
  void framesInSequenceAreDeliveredAndAcknowledgedCumulatively() {
    assertThat(frame("r1", 1, 1)).isEqualTo(DELIVER);
    assertThat(frame("r1", 2, 1)).isEqualTo(DELIVER);
    assertThat(frame("r1", 3, 1)).isEqualTo(DELIVER);
    assertThat(streams.acks()).containsExactly(new InboundStreams.Receipt("n2", "r1", 4, List.of()));
    assertThat(streams.acks()).as("nothing new since").isEmpty();
  }

  @Test
  void aFrameSentAgainIsNotDeliveredTwiceButAcknowledgedAgain() {
    frame("r1", 1, 1);
    frame("r1", 2, 1);
    streams.acks();
    assertThat(frame("r1", 2, 2)).isEqualTo(REPEAT);
    assertThat(streams.acks()).as("the ack may have been lost").containsExactly(new InboundStreams.Receipt("n2", "r1", 3, List.of()));
  }

  @Test
  void aFrameAfterAGapWaitsUntilTheMissingOnesAreSentAgain() {
    frame("r1", 1, 1);
    assertThat(frame("r1", 3, 2)).isEqualTo(GAP);
    assertThat(streams.gapReport("n2", 0)).isEqualTo(new InboundStreams.Receipt("n2", "r1", 2, List.of()));
    assertThat(streams.gapReport("n2", 1)).as("reported once per interval").isNull();
    assertThat(frame("r1", 2, 2)).isEqualTo(DELIVER);
    assertThat(frame("r1", 3, 2)).isEqualTo(DELIVER);
    assertThat(streams.gapReport("n2", InboundStreams.NACK_INTERVAL_NANOS + 1))
        .as("a new report for a new gap").isEqualTo(new InboundStreams.Receipt("n2", "r1", 4, List.of()));
  }

  @Test
  void framesTheSenderGaveUpAreSkippedAndNeverDeliveredLate() {
    frame("r1", 1, 1);
    // frames 2 and 3 were given up by the sender: its next frame says it holds nothing below 4
    assertThat(frame("r1", 4, 4)).isEqualTo(DELIVER);
    assertThat(frame("r1", 2, 2)).as("a given-up frame arriving late").isEqualTo(REPEAT);
  }

  @Test
  void aFrameTooOldIsRefusedAndNamedInEveryAckUntilTheSenderHasTakenItAsLost() {
    frame("r1", 1, 1);
    streams.acks();
    long old = NOW - InboundStreams.ACCEPT_WITHIN_MILLIS - 1;
    assertThat(streams.accept("n2", "r1", 2, 2, old, NOW)).isEqualTo(REFUSED);
    assertThat(frame("r1", 3, 2)).as("what follows is not held up").isEqualTo(DELIVER);
    assertThat(streams.acks()).containsExactly(new InboundStreams.Receipt("n2", "r1", 4, List.of(2L)));
    assertThat(frame("r1", 3, 2)).isEqualTo(REPEAT);
    assertThat(streams.acks()).as("the ack may have been lost").containsExactly(new InboundStreams.Receipt("n2", "r1", 4, List.of(2L)));
    assertThat(frame("r1", 4, 4)).as("the sender holds nothing below 4 now").isEqualTo(DELIVER);
    assertThat(streams.acks()).containsExactly(new InboundStreams.Receipt("n2", "r1", 5, List.of()));
    assertThat(streams.accept("n2", "r1", 2, 4, NOW, NOW)).as("a refused frame arriving again").isEqualTo(REPEAT);
  }

  @Test
  void aFrameItsTargetDidNotTakeIsNamedInEveryAckUntilTheSenderHasHeard() {
    frame("r1", 1, 1);
    assertThat(streams.declined("n2", "r1", 1)).isTrue();
    assertThat(streams.acks()).containsExactly(new InboundStreams.Receipt("n2", "r1", 2, List.of(), List.of(1L)));
    assertThat(frame("r1", 1, 1)).isEqualTo(REPEAT);
    assertThat(streams.acks()).as("the ack may have been lost")
        .containsExactly(new InboundStreams.Receipt("n2", "r1", 2, List.of(), List.of(1L)));
    assertThat(frame("r1", 2, 2)).as("the sender holds nothing below 2 now").isEqualTo(DELIVER);
    assertThat(streams.acks()).containsExactly(new InboundStreams.Receipt("n2", "r1", 3, List.of()));
    assertThat(streams.declined("n2", "r0", 2)).as("another run's frame").isFalse();
  }

  @Test
  void aRestartedSenderStartsANewStream() {
    frame("r1", 1, 1);
    frame("r1", 2, 1);
    assertThat(frame("r2", 1, 1)).isEqualTo(DELIVER);
    assertThat(streams.acks()).containsExactly(new InboundStreams.Receipt("n2", "r2", 2, List.of()));
  }

  @Test
  void aFreshReceiverStartsAtTheOldestFrameTheSenderStillHolds() {
    assertThat(frame("r1", 500, 498)).isEqualTo(GAP);
    assertThat(streams.gapReport("n2", 0).expected()).isEqualTo(498);
    assertThat(frame("r1", 498, 498)).isEqualTo(DELIVER);
  }
}
