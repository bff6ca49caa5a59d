package io.signalmesh.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Work over a whole node or page keeps a bound on the calls it has in flight, and its results in order. */
class ChunkedCallsTest {

  private final List<Integer> called = new ArrayList<>();
  private final List<Promise<String>> pending = new ArrayList<>();

  private Future<String> call(int item) {
    called.add(item);
    Promise<String> reply = Promise.promise();
    pending.add(reply);
    return reply.future();
  }

  @Test
  void noMoreThanTheBoundIsInFlightAndTheNextChunkStartsWhenTheWholeLastOneCompleted() {
    ChunkedCalls.apply(IntStream.range(0, 7).boxed().toList(), 3, this::call);

    assertThat(called).containsExactly(0, 1, 2);
    pending.get(2).complete("r2");
    pending.get(0).complete("r0");
    assertThat(called).as("one call of the chunk still in flight").containsExactly(0, 1, 2);
    pending.get(1).complete("r1");
    assertThat(called).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void theResultsKeepTheItemsOrderWhateverOrderTheCallsCompleteIn() {
    Future<List<String>> all = ChunkedCalls.apply(List.of(0, 1, 2, 3, 4), 2, this::call);
    while (!pending.isEmpty()) {
      List<Promise<String>> chunk = List.copyOf(pending);
      int first = called.size() - chunk.size();
      pending.clear();
      for (int i = chunk.size() - 1; i >= 0; i--) {
        chunk.get(i).complete("r" + (first + i));
      }
    }

    assertThat(all.result()).containsExactly("r0", "r1", "r2", "r3", "r4");
  }

  @Test
  void aFailedCallFailsTheWholeAndLeavesTheLaterChunksUncalled() {
    Future<List<String>> all = ChunkedCalls.apply(List.of(0, 1, 2, 3, 4), 2, this::call);
    pending.get(0).complete("r0");
    pending.get(1).fail(new PresenceUnavailableException("redis down"));

    assertThat(all.failed()).isTrue();
    assertThat(all.cause()).hasMessageContaining("redis down");
    assertThat(called).containsExactly(0, 1);
  }

  @Test
  void noItemsCompleteAtOnceWithNoResults() {
    assertThat(ChunkedCalls.apply(List.<Integer>of(), 4, this::call).result()).isEmpty();
    assertThat(called).isEmpty();
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> ChunkedCalls.apply(List.of(1), 0, this::call)).isInstanceOf(IllegalArgumentException.class);
  }
}
