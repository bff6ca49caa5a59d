package io.signalmesh.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many members of the same rooms joining and leaving at the same moment, from connections on
 * different event loops: every one of them gets its answer and the node keeps taking clients
 * (a session must never wait on another session's lock while holding its own).
 */
@Timeout(60)
class ConcurrentJoinsTest {

  private static final int CLIENTS = 120;
  private static final int ROOM_SIZE = 10;
  private static final int ROUNDS = 5;

  /** Every client sends at the same moment, from many threads, so joins into a room overlap. */
  private static void sendAllAtOnce(List<TestClient> clients, String type) {
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      TestClient client = clients.get(i);
      String room = "crowd-" + (i % (clients.size() / ROOM_SIZE));
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        client.send(new JsonObject().put("type", type).put("roomId", room));
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void everyoneJoiningAndLeavingSharedRoomsAtOnceGetsAnAnswerAndTheNodeStaysResponsive() {
    List<TestClient> clients = new ArrayList<>();
    try (TestNode node = TestNode.start("--room-capacity", "100")) {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(node.connect());
      }
      for (int round = 0; round < ROUNDS; round++) {
        sendAllAtOnce(clients, "join-room");
        for (TestClient client : clients) {
          client.expect("room-participants");
        }
        sendAllAtOnce(clients, "leave-room");
        for (TestClient client : clients) {
          client.sync();
        }
      }
      try (TestClient late = node.connect()) {
        assertThat(late.join("crowd-0").getJsonArray("participants")).isEmpty();
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }
}
