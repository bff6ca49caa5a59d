package io.signalmesh.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two sessions whose room operations each deliver to the other at the same moment (two members
 * of one room joining at once on two event loops): neither may wait on the other's lock while
 * holding its own, or both event loops hang for good.
 */
@Timeout(20)
class SessionLockingTest {

  /** A transport that only records what it was asked to send. */
  private static final class RecordingConnection implements Connection {
    final List<String> sent = new CopyOnWriteArrayList<>();

    @Override
    public boolean send(String frame) {
      sent.add(frame);
      return true;
    }

    @Override
    public void close(short code, String reason) {
    }

    @Override
    public String remoteAddress() {
      return "test";
    }
  }

  @Test
  void roomOperationsOfTwoSessionsDeliveringToEachOtherAtOnceBothComplete() throws Exception {
    RecordingConnection toAda = new RecordingConnection();
    RecordingConnection toBob = new RecordingConnection();
    Session ada = new Session(ClientId.random(), "t1", toAda, 8, null);
    Session bob = new Session(ClientId.random(), "t2", toBob, 8, null);
    CountDownLatch bothInside = new CountDownLatch(2);

    Thread adaJoins = new Thread(() -> ada.serially(() -> {
      bothInside.countDown();
      await(bothInside);
      bob.deliver("ada joined");
      return Future.succeededFuture();
    }));
    Thread bobJoins = new Thread(() -> bob.serially(() -> {
      bothInside.countDown();
      await(bothInside);
      ada.deliver("bob joined");
      return Future.succeededFuture();
    }));
    adaJoins.start();
    bobJoins.start();
    adaJoins.join(TimeUnit.SECONDS.toMillis(10));
    bobJoins.join(TimeUnit.SECONDS.toMillis(10));

    assertThat(adaJoins.isAlive() || bobJoins.isAlive()).as("a room operation is stuck (deadlock)").isFalse();
    assertThat(toBob.sent).containsExactly("ada joined");
    assertThat(toAda.sent).containsExactly("bob joined");
  }

  @Test
  void operationsOfOneSessionRunInTheOrderTheyWereAsked() {
    Session ada = new Session(ClientId.random(), "t1", new RecordingConnection(), 8, null);
    List<String> order = new CopyOnWriteArrayList<>();
    io.vertx.core.Promise<Void> slowJoin = io.vertx.core.Promise.promise();
    ada.serially(() -> {
      order.add("join started");
      return slowJoin.future();
    });
    Future<Void> leave = ada.serially(() -> {
      order.add("leave started");
      return Future.succeededFuture();
    });
    assertThat(order).containsExactly("join started");
    slowJoin.complete();
    assertThat(leave.succeeded()).isTrue();
    assertThat(order).containsExactly("join started", "leave started");
  }

  @Test
  void aFailingOperationDoesNotStopTheOnesAfterIt() {
    Session ada = new Session(ClientId.random(), "t1", new RecordingConnection(), 8, null);
    Future<Void> failed = ada.serially(() -> {
      throw new IllegalStateException("boom");
    });
    Future<String> next = ada.serially(() -> Future.succeededFuture("ran"));
    assertThat(failed.failed()).isTrue();
    assertThat(next.result()).isEqualTo("ran");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
