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
import java.nio.charset.StandardCharsets;
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
 * A receiving node that is not sure it may serve (back from a pause, or declared dead by the
 * mesh), with two inboxes on one Vert.x and a real Redis for what is parked: what other nodes
 * send it waits, goes on once it may serve, or, if it was declared dead, is dropped
 * unacknowledged and parked by its senders for the clients' resume, never delivered by it later.
 */
class NodeInboxServingTest {

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
    await(a.register(new RoomViews("a"), (client, frame) -> true, (client, node) -> null,
        (command, args) -> Future.succeededFuture(new JsonObject())));
    await(b.register(new RoomViews("b"), (client, frame) -> deliveredAtB.add(new String(frame, StandardCharsets.UTF_8)), (client, node) -> null,
        (command, args) -> Future.succeededFuture(new JsonObject())));
  }

  @AfterEach
  void stop() {
    await(calls.close());
    redis.close();
    await(vertx.close());
  }

  @Test
  void framesWaitWhileTheReceiverIsNotSureItMayServeAndGoOnOnceItIs() {
    bServing.set(false);
    a.send("b", List.of(CLIENT), "during the pause");
    Wait.until("b to hold the frame", WITHIN, () -> !bWaiting.isEmpty());
    settle();
    assertThat(deliveredAtB).isEmpty();
    assertThat(a.unconfirmed()).as("held frames are not confirmed").isEqualTo(1);

    bServing.set(true);
    bWaiting.forEach(Runnable::run);
    Wait.until("the held frame at b", WITHIN, () -> deliveredAtB.equals(List.of("during the pause")));
    Wait.until("b to confirm it", WITHIN, () -> a.unconfirmed() == 0);
  }

  @Test
  void whatADeclaredDeadReceiverHeldIsDroppedUnconfirmedAndParkedByItsSender() {
    bServing.set(false);
    a.send("b", List.of(CLIENT), "held by b");
    Wait.until("b to hold the frame", WITHIN, () -> !bWaiting.isEmpty());
    b.dropHeld();
    a.nodeDied("b");
    assertThat(a.unconfirmed()).as("nothing waits on the dead node").isZero();
    a.send("b", List.of(CLIENT), "sent after the death");

    assertThat(parked(2)).containsExactly("held by b", "sent after the death");
    bServing.set(true);
    bWaiting.forEach(Runnable::run);
    settle();
    assertThat(deliveredAtB).as("b never delivers what was parked").isEmpty();
  }

  @Test
  void aFrameMeantForTheRunBeforeTheReceiverWasDeclaredDeadIsNeverDelivered() {
    a.send("b", List.of(CLIENT), "before");
    Wait.until("b to deliver and confirm the first frame", WITHIN,
        () -> deliveredAtB.size() == 1 && a.unconfirmed() == 0);
    // b was declared dead and fenced itself; a has not seen the declaration yet
    b.dropHeld();
    a.send("b", List.of(CLIENT), "meant for b's earlier run");
    settle();
    assertThat(deliveredAtB).containsExactly("before");
    assertThat(a.unconfirmed()).isEqualTo(1);

    a.nodeDied("b");
    assertThat(parked(1)).containsExactly("meant for b's earlier run");
  }

  @Test
  void aNodeSeenAliveAgainGetsFramesAtOnceNotParked() {
    a.send("b", List.of(CLIENT), "before its death");
    Wait.until("the first frame", WITHIN, () -> deliveredAtB.size() == 1 && a.unconfirmed() == 0);
    a.nodeDied("b");
    b.dropHeld();
    a.nodeAlive("b");
    a.send("b", List.of(CLIENT), "to a client of its new run");
    Wait.until("the frame after it rejoined", WITHIN, () -> deliveredAtB.size() == 2);
    assertThat(deliveredAtB).containsExactly("before its death", "to a client of its new run");
  }

  private List<String> parked(int count) {
    List<String> parked = new ArrayList<>();
    Wait.until(count + " frames parked", WITHIN, () -> {
      parked.addAll(await(directory.drainInbox(CLIENT)));
      return parked.size() >= count;
    });
    return parked;
  }

  /** A barrier: everything sent to b before has been handled once a command through the same inbox is answered. */
  private void settle() {
    await(vertx.eventBus().request(NodeInbox.address("b"), Buffer.buffer("{}"),
        new DeliveryOptions().addHeader(LinkHeaders.COMMAND, "noop")));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
