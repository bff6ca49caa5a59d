package io.signalmesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.session.ClientId;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A relay to a client of another node is handed to that client as the UTF-8 bytes its sender's
 * node made of it, byte for byte (escapes, number forms, non-ASCII text a decode and re-encode
 * could alter are not re-modelled), also when it had to be sent again; and a relay its target
 * does not take is still answered to its sender naming the target, with the relay's type as
 * {@code ref}. Two
 * nodes' inboxes on one real (local) event bus.
 */
class CrossNodeRelayBytesTest {

  private static final ClientId ORIGIN = new ClientId("ada");
  private static final ClientId TARGET = new ClientId("bob");
  private static final Duration WITHIN = Duration.ofSeconds(5);
  /** Valid JSON a parse and re-encode would change: escapes, 1.0e+2, -0, non-ASCII (two, three and four bytes). */
  private static final byte[] FRAME = ("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\na=\\u00e9 \\\"q\\\" \\/ é€😀\","
      + "\"n\":1.0e+2,\"z\":-0,\"big\":123456789012345678901234567890,\"senderId\":\"ada\"}")
      .getBytes(StandardCharsets.UTF_8);

  private Vertx vertx;
  private NodeInbox n1;
  private final List<byte[]> deliveredAtN2 = new CopyOnWriteArrayList<>();
  private final List<String> toOrigin = new CopyOnWriteArrayList<>();
  private final AtomicBoolean targetTakes = new AtomicBoolean(true);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ParkedFrames parked = new ParkedFrames(NodeDirectory.local(), 16, Duration.ofSeconds(30));
    n1 = new NodeInbox(vertx, "n1", parked);
    NodeInbox n2 = new NodeInbox(vertx, "n2", parked);
    NodeInbox.Handover none = (client, node) -> null;
    NodeInbox.Commands noCommands = (command, args) -> Future.succeededFuture(new JsonObject());
    await(n1.register(new RoomViews("n1"), (client, frame) -> toOrigin.add(new String(frame, StandardCharsets.UTF_8)),
        none, noCommands));
    await(n2.register(new RoomViews("n2"), (client, frame) -> {
      deliveredAtN2.add(frame);
      return targetTakes.get();
    }, none, noCommands));
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  @Test
  void aRelayReachesItsTargetOnAnotherNodeByteForByte() {
    n1.relay("n2", ORIGIN, TARGET, FRAME.clone());

    Wait.until("the relay at n2", WITHIN, () -> deliveredAtN2.size() == 1);
    assertThat(deliveredAtN2.get(0)).isEqualTo(FRAME);
    Wait.until("n2 to confirm it", WITHIN, () -> n1.unconfirmed() == 0);
    assertThat(toOrigin).as("nothing told to the sender").isEmpty();
  }

  @Test
  void aRelayLostOnTheWayArrivesByteForByteWhenSentAgain() {
    AtomicInteger dataMessages = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(context -> {
      if (context.message().headers().contains(LinkHeaders.SEQ) && dataMessages.incrementAndGet() == 1) {
        return; // the first sending is lost, as on a cut connection
      }
      context.next();
    });
    n1.relay("n2", ORIGIN, TARGET, FRAME.clone());

    Wait.until("the relay sent again at n2", WITHIN, () -> deliveredAtN2.size() == 1);
    assertThat(deliveredAtN2.get(0)).isEqualTo(FRAME);
    assertThat(dataMessages.get()).as("sendings, the lost one included").isGreaterThan(1);
  }

  @Test
  void relaysSentTogetherGoInOneMessageAndArriveByteForByte() {
    List<Integer> batchSizes = batchSizesSent(false);
    relayAndAwaitConfirmed(FRAME.clone());

    relayInOneTurn(20, i -> FRAME.clone());

    Wait.until("all 21 relays at n2", WITHIN, () -> deliveredAtN2.size() == 21);
    assertThat(deliveredAtN2).allSatisfy(bytes -> assertThat(bytes).isEqualTo(FRAME));
    assertThat(batchSizes).as("messages holding several relays").isNotEmpty();
    Wait.until("n2 to confirm them all", WITHIN, () -> n1.unconfirmed() == 0);
    assertThat(toOrigin).as("nothing told to the sender").isEmpty();
  }

  @Test
  void manyRelaysOfOneTurnGoInSeveralBoundedMessagesAndArriveInOrder() {
    List<Integer> batchSizes = batchSizesSent(false);
    relayAndAwaitConfirmed(numbered(0));

    int relays = 3 * NodeLink.MAX_GATHERED;
    relayInOneTurn(relays, i -> numbered(i + 1));

    Wait.until("every relay at n2", WITHIN, () -> deliveredAtN2.size() == relays + 1);
    assertThat(deliveredAtN2).extracting(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .containsExactlyElementsOf(numberedUpTo(relays));
    assertThat(batchSizes).as("frames per message").isNotEmpty().allSatisfy(size ->
        assertThat(size).isBetween(2, NodeLink.MAX_GATHERED));
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).as("relays that went in batches").isEqualTo(relays);
  }

  @Test
  void aMalformedBatchIsDroppedAndItsRelaysArriveOnceInOrderWhenSentAgain() {
    AtomicInteger corrupted = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(context -> {
      MultiMap headers = context.message().headers();
      if (headers.contains(LinkHeaders.BATCH) && corrupted.getAndIncrement() == 0) {
        headers.set(LinkHeaders.BATCH, Integer.toString(Integer.MAX_VALUE));
      }
      context.next();
    });
    relayAndAwaitConfirmed(numbered(0));

    relayInOneTurn(10, i -> numbered(i + 1));

    Wait.until("every relay at n2", WITHIN, () -> deliveredAtN2.size() >= 11);
    assertThat(deliveredAtN2).extracting(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .containsExactlyElementsOf(numberedUpTo(10));
    assertThat(corrupted.get()).as("batches sent, the malformed one included").isPositive();
    Wait.until("n2 to confirm them all", WITHIN, () -> n1.unconfirmed() == 0);
  }

  @Test
  void aNodeWhoseAcksDoNotSayItTakesBatchesGetsEveryRelayAlone() {
    List<Integer> batchSizes = batchSizesSent(true);
    relayAndAwaitConfirmed(FRAME.clone());

    relayInOneTurn(20, i -> FRAME.clone());

    Wait.until("all 21 relays at n2", WITHIN, () -> deliveredAtN2.size() == 21);
    assertThat(batchSizes).as("batches sent").isEmpty();
  }

  /** The number of frames in each batch the event bus carries from now on; n2 may answer like an earlier version. */
  private List<Integer> batchSizesSent(boolean n2AnswersLikeAnEarlierVersion) {
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    vertx.eventBus().addOutboundInterceptor(context -> {
      if (n2AnswersLikeAnEarlierVersion) {
        context.message().headers().remove(LinkHeaders.TAKES_BATCHES);
      }
      String count = context.message().headers().get(LinkHeaders.BATCH);
      if (count != null) {
        sizes.add(Integer.parseInt(count));
      }
      context.next();
    });
    return sizes;
  }

  /** A first relay, confirmed: n2's acknowledgement tells n1 whether it takes batches. */
  private void relayAndAwaitConfirmed(byte[] frame) {
    n1.relay("n2", ORIGIN, TARGET, frame);
    Wait.until("n2 to confirm the first relay", WITHIN, () -> n1.unconfirmed() == 0);
  }

  private void relayInOneTurn(int count, java.util.function.IntFunction<byte[]> frame) {
    vertx.runOnContext(v -> {
      for (int i = 0; i < count; i++) {
        n1.relay("n2", ORIGIN, TARGET, frame.apply(i));
      }
    });
  }

  private static List<String> numberedUpTo(int last) {
    return java.util.stream.IntStream.rangeClosed(0, last).mapToObj(i -> new String(numbered(i), StandardCharsets.UTF_8))
        .toList();
  }

  private static byte[] numbered(int n) {
    return ("{\"type\":\"ice-candidate\",\"n\":" + n + ",\"senderId\":\"ada\"}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRelayItsTargetDoesNotTakeIsAnsweredToItsSenderNamingTheTargetAndType() {
    targetTakes.set(false);
    n1.relay("n2", ORIGIN, TARGET, FRAME.clone());

    Wait.until("the sender told", WITHIN, () -> toOrigin.size() == 1);
    JsonObject error = new JsonObject(toOrigin.get(0));
    assertThat(error.getString("code")).isEqualTo("unavailable");
    assertThat(error.getString("targetId")).isEqualTo(TARGET.value());
    assertThat(error.getString("ref")).as("the relay's type").isEqualTo("offer");
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
