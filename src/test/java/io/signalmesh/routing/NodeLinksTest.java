package io.signalmesh.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.RedisCalls;
import io.signalmesh.presence.RedisNodeDirectory;
import io.signalmesh.presence.RedisUrl;
import io.signalmesh.session.ClientId;
import io.signalmesh.testsupport.RedisServer;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' inboxes on one Vert.x (the event bus is the same code clustered or not): what one
 * node sends another arrives once and in order, is confirmed at once, waits while the receiver
 * is not sure it may serve, and is parked in a real Redis for the clients' resume once the
 * receiver is declared dead.
 */
class NodeLinksTest {

  private static final ClientId CLIENT = new ClientId("c1");
  private static final Duration WITHIN = Duration.ofSeconds(5);

  private final List<String> deliveredAtB = new CopyOnWriteArrayList<>();
  private final AtomicBoolean bServing = new AtomicBoolean(true);
  private final List<Runnable> bWaiting = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private RedisServer redis;
  private RedisCalls calls;
  private RedisNodeDirectory directory;
  private NodeInbox a;
  private NodeInbox b;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    redis = new RedisServer().start();
    calls = new RedisCalls(vertx, RedisUrl.parse(redis.url()), Duration.ofSeconds(2));
    directory = new RedisNodeDirectory(calls);
    ParkedFrames parked = new ParkedFrames(directory, 256, Duration.ofSeconds(30));
    a = new NodeInbox(vertx, "a", parked);
    b = new NodeInbox(vertx, "b", parked, bServing::get, bWaiting::add);
    await(a.register(new RoomViews("a"), (client, frame) -> { }, (client, node) -> null,
        (command, args) -> Future.succeededFuture(new JsonObject())));
    await(b.register(new RoomViews("b"), (client, frame) -> deliveredAtB.add(frame), (client, node) -> null,
        (command, args) -> Future.succeededFuture(new JsonObject())));
  }

  @AfterEach
  void stop() {
    await(calls.close());
    redis.close();
    await(vertx.close());
  }

  @Test
  void framesForAnotherNodeArriveOnceInOrderAndAreConfirmedAtOnce() {
    List<String> sent = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      sent.add("f" + i);
      a.send("b", List.of(CLIENT), "f" + i);
    }
    Wait.until("200 frames at b", WITHIN, () -> deliveredAtB.size() == 200);
    assertThat(deliveredAtB).containsExactlyElementsOf(sent);
    Wait.until("b to confirm them", WITHIN, () -> a.linkState("b").equals("open, unconfirmed 0"));
  }

  @Test
  void repeatedAndReorderedMessagesOfALinkAreHandedOnOnceInOrder() {
    raw("x", 1, 2, "f2");
    raw("x", 1, 1, "f1");
    raw("x", 1, 2, "f2");
    raw("x", 1, 1, "f1");
    raw("x", 1, 3, "f3");
    Wait.until("three frames at b", WITHIN, () -> deliveredAtB.size() >= 3);
    assertSettled();
    assertThat(deliveredAtB).containsExactly("f1", "f2", "f3");
  }

  @Test
  void aMessageOfAnOlderGenerationOfTheLinkIsDropped() {
    raw("x", 2, 1, "new");
    raw("x", 1, 7, "old, parked by its sender");
    raw("x", 2, 2, "newer");
    Wait.until("two frames at b", WITHIN, () -> deliveredAtB.size() >= 2);
    assertSettled();
    assertThat(deliveredAtB).containsExactly("new", "newer");
  }

  @Test
  void framesWaitWhileTheReceiverIsNotSureItMayServeAndGoOnOnceItIs() {
    bServing.set(false);
    a.send("b", List.of(CLIENT), "during the pause");
    Wait.until("b to hold the frame", WITHIN, () -> !bWaiting.isEmpty());
    assertThat(deliveredAtB).isEmpty();
    assertThat(a.linkState("b")).as("held frames are not confirmed").isEqualTo("open, unconfirmed 1");

    bServing.set(true);
    bWaiting.forEach(Runnable::run);
    Wait.until("the held frame at b", WITHIN, () -> deliveredAtB.equals(List.of("during the pause")));
    Wait.until("b to confirm it", WITHIN, () -> a.linkState("b").equals("open, unconfirmed 0"));
  }

  @Test
  void whenTheReceiverIsDeclaredDeadWhatItHeldIsDroppedAndItsSenderParksItForTheResume() {
    bServing.set(false);
    a.send("b", List.of(CLIENT), "held by b");
    Wait.until("b to hold the frame", WITHIN, () -> !bWaiting.isEmpty());
    b.dropHeld();
    a.nodeDied("b");
    assertThat(a.linkState("b")).as("nothing waits on the dead node").isEqualTo("parking, unconfirmed 0");
    a.send("b", List.of(CLIENT), "sent after the death");

    List<String> parked = new ArrayList<>();
    Wait.until("both frames parked in order", WITHIN, () -> {
      parked.addAll(await(directory.drainInbox(CLIENT)));
      return parked.size() >= 2;
    });
    assertThat(parked).containsExactly("held by b", "sent after the death");
    bServing.set(true);
    bWaiting.forEach(Runnable::run);
    assertSettled();
    assertThat(deliveredAtB).as("b never hands on what was parked").isEmpty();
  }

  @Test
  void aNodeAliveAgainGetsFramesInANewGenerationOfTheLink() {
    a.send("b", List.of(CLIENT), "before");
    Wait.until("the first frame", WITHIN, () -> deliveredAtB.size() == 1);
    a.nodeDied("b");
    a.nodeAlive("b");
    a.send("b", List.of(CLIENT), "after");
    Wait.until("the frame after the restart", WITHIN, () -> deliveredAtB.size() == 2);
    assertThat(deliveredAtB).containsExactly("before", "after");
  }

  @Test
  void aLinkWhoseBeginningThisNodeNeverSawWasForAnEarlierRunAndIsNotHandedOn() {
    raw("y", 1, 41, "for the run before a restart");
    raw("y", 1, 42, "for the run before a restart");
    raw("y", 2, 1, "after its sender saw that run dead");
    Wait.until("the frame of the new generation", WITHIN, () -> deliveredAtB.size() >= 1);
    assertSettled();
    assertThat(deliveredAtB).containsExactly("after its sender saw that run dead");
  }

  @Test
  void aSenderDeclaredDeadThatWasOnlyPausedGoesOnWithItsNumbering() {
    raw("x", 1, 1, "before");
    raw("x", 1, 3, "behind a gap");
    assertSettled();
    assertThat(deliveredAtB).containsExactly("before");
    b.nodeDied("x");
    Wait.until("what waited behind the gap", WITHIN, () -> deliveredAtB.size() == 2);
    raw("x", 1, 4, "after it rejoined");
    Wait.until("the frame after the rejoin", WITHIN, () -> deliveredAtB.size() == 3);
    assertThat(deliveredAtB).containsExactly("before", "behind a gap", "after it rejoined");
  }

  /** Sends a numbered message to b as node {@code from}'s link would. */
  private void raw(String from, long generation, long seq, String frame) {
    vertx.eventBus().send(NodeInbox.address("b"), Buffer.buffer(frame), new DeliveryOptions()
        .addHeader(NodeInbox.TO, CLIENT.value()).addHeader(NodeLink.FROM, from).addHeader(NodeLink.INCARNATION, "i")
        .addHeader(NodeLink.GENERATION, Long.toString(generation)).addHeader(NodeLink.SEQ, Long.toString(seq)));
  }

  /** A barrier: a message sent to b after the others has been handled once a request through the same inbox is answered. */
  private void assertSettled() {
    await(vertx.eventBus().request(NodeInbox.address("b"), Buffer.buffer("{}"),
        new DeliveryOptions().addHeader(NodeInbox.COMMAND, "noop")));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
