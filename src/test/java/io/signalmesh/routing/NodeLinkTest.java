package io.signalmesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.session.ClientId;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' inboxes on one real (local) event bus, with an interceptor in the path that loses
 * chosen messages the way a cut connection does: what one node sends the other still arrives,
 * once and in order.
 */
class NodeLinkTest {

  private static final ClientId TARGET = new ClientId("target");
  private Vertx vertx;
  private NodeInbox sender;
  private final List<String> delivered = new ArrayList<>();
  private final AtomicInteger dataMessages = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ParkedFrames parked = new ParkedFrames(NodeDirectory.local(), 16, Duration.ofSeconds(30));
    sender = new NodeInbox(vertx, "n1", parked);
    NodeInbox receiver = new NodeInbox(vertx, "n2", parked);
    NodeInbox.Handover none = (client, node) -> null;
    NodeInbox.Commands noCommands = (command, args) -> Future.succeededFuture(new JsonObject());
    sender.register(new RoomViews("n1"), (client, frame) -> true, none, noCommands)
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    receiver.register(new RoomViews("n2"), (client, frame) -> { record(new String(frame, StandardCharsets.UTF_8)); return true; }, none, noCommands)
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aMessageLostOnTheWayIsSentAgainAndEverythingArrivesOnceInOrder() {
    loseDataMessages(3, 4);
    for (int i = 1; i <= 10; i++) {
      sender.send("n2", List.of(TARGET), "frame " + i);
    }
    Wait.until("all ten frames", Duration.ofSeconds(5), () -> delivered().size() >= 10);
    sender.send("n2", List.of(TARGET), "frame 11");
    Wait.until("the eleventh", Duration.ofSeconds(5), () -> delivered().size() >= 11);
    assertThat(delivered()).containsExactlyElementsOf(frames(11));
    assertThat(dataMessages.get()).as("data messages on the bus, resends included").isGreaterThan(11);
  }

  @Test
  void theLastMessagesLostWithNothingAfterThemAreSentAgainAfterASecond() {
    loseDataMessages(5, 6);
    for (int i = 1; i <= 6; i++) {
      sender.send("n2", List.of(TARGET), "frame " + i);
    }
    Wait.until("all six frames", Duration.ofSeconds(5), () -> delivered().size() >= 6);
    assertThat(delivered()).containsExactlyElementsOf(frames(6));
    assertThat(dataMessages.get()).as("data messages on the bus, resends included").isGreaterThan(6);
    Wait.until("every frame confirmed", Duration.ofSeconds(5), () -> sender.unconfirmed() == 0);
  }

  @Test
  void aBatchLostOnTheWayIsSentAgainAndEverythingArrivesOnceInOrder() {
    sender.send("n2", List.of(TARGET), "frame 1");
    Wait.until("the first frame confirmed", Duration.ofSeconds(5), () -> delivered().size() == 1 && sender.unconfirmed() == 0);
    AtomicInteger batches = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(context -> {
      if (context.message().headers().contains(LinkHeaders.BATCH) && batches.incrementAndGet() == 1) {
        return; // the first batch is lost, as on a cut connection
      }
      context.next();
    });

    vertx.runOnContext(v -> {
      for (int i = 2; i <= 10; i++) {
        sender.send("n2", List.of(TARGET), "frame " + i);
      }
    });

    Wait.until("all ten frames", Duration.ofSeconds(5), () -> delivered().size() >= 10);
    assertThat(delivered()).containsExactlyElementsOf(frames(10));
    assertThat(batches.get()).as("batches, the lost one included").isPositive();
    Wait.until("every frame confirmed", Duration.ofSeconds(5), () -> sender.unconfirmed() == 0);
  }

  @Test
  void framesArrivingOneByOneAreAcknowledgedInFewMessages() {
    AtomicInteger acks = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(context -> {
      if (context.message().headers().contains(LinkHeaders.ACK)) {
        acks.incrementAndGet();
      }
      context.next();
    });
    AtomicInteger sent = new AtomicInteger();
    // one frame per event-loop turn, a millisecond apart: each turn used to send its own ack
    vertx.setPeriodic(1, id -> {
      int n = sent.incrementAndGet();
      sender.send("n2", List.of(TARGET), "frame " + n);
      if (n == 60) {
        vertx.cancelTimer(id);
      }
    });
    Wait.until("all sixty frames confirmed", Duration.ofSeconds(5), () -> delivered().size() == 60 && sender.unconfirmed() == 0);

    assertThat(delivered()).containsExactlyElementsOf(frames(60));
    assertThat(acks.get()).as("acks for 60 frames over at least 60 ms, at most one per 5 ms").isBetween(1, 30);
  }

  /** Drops the data messages (not acks) with these positions, counted from 1, the first time they pass. */
  private void loseDataMessages(int... positions) {
    vertx.eventBus().addOutboundInterceptor(context -> {
      if (context.message().headers().contains(LinkHeaders.SEQ)) {
        int position = dataMessages.incrementAndGet();
        for (int lost : positions) {
          if (position == lost) {
            return;
          }
        }
      }
      context.next();
    });
  }

  private synchronized void record(String frame) {
    delivered.add(frame);
  }

  private synchronized List<String> delivered() {
    return List.copyOf(delivered);
  }

  private static List<String> frames(int count) {
    List<String> frames = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      frames.add("frame " + i);
    }
    return frames;
  }
}
