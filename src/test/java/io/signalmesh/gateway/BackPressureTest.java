package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.signalmesh.testsupport.LogCapture;
import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that does not read is disconnected, with a log line saying why, before what is queued
 * for it can grow the node's memory; the other clients keep receiving.
 */
@Timeout(60)
class BackPressureTest {

  @Test
  void aClientThatDoesNotReadIsCutOffAndLoggedWhileTheOthersKeepReceiving() {
    try (TestNode node = TestNode.start("--rate-limit", "5000", "--rate-burst", "5000");
        LogCapture log = LogCapture.attach();
        RawWebSocket stalled = RawWebSocket.connect(node.port(), "/ws", Map.of(), 4096);
        TestClient reader = node.connect();
        TestClient sender = node.connect()) {
      String stalledId = stalled.expect("connected").getString("clientId");
      stalled.sendText(new JsonObject().put("type", "join-room").put("roomId", "flood"));
      stalled.expect("room-participants");
      reader.join("flood");
      sender.join("flood");
      // from here on the stalled client reads nothing
      String filler = "x".repeat(60_000);
      Predicate<ILoggingEvent> cutOff = LogCapture.about(stalledId, "does not read");
      // in lockstep with the reader, so that only the stalled client falls behind, however
      // slow this machine is today
      int sent = 0;
      while (sent < 2000 && log.events().stream().noneMatch(cutOff)) {
        sender.send(new JsonObject().put("type", "broadcast").put("roomId", "flood")
            .put("data", new JsonObject().put("seq", sent).put("filler", filler)));
        assertThat(reader.expect("broadcast").getJsonObject("data").getInteger("seq")).isEqualTo(sent);
        sent++;
      }
      ILoggingEvent event = log.await(cutOff);
      assertThat(LogCapture.value(event, "pendingBytes")).isNotNull();
      sender.sync();
      sender.assertNone("error");
      assertThat(stalled.awaitEndOfStream(Duration.ofSeconds(20))).as("stalled connection closed").isTrue();
      // the others go on
      sender.send(new JsonObject().put("type", "broadcast").put("roomId", "flood").put("data", new JsonObject().put("seq", -1)));
      assertThat(reader.expect("broadcast").getJsonObject("data").getInteger("seq")).isEqualTo(-1);
    }
  }

  @Test
  void clientsThatReadAreNeverCutOffHoweverMuchTheyReceiveInAll() {
    try (TestNode node = TestNode.start("--max-pending-bytes", "65536", "--rate-limit", "5000", "--rate-burst", "5000");
        LogCapture log = LogCapture.attach();
        TestClient sender = node.connect()) {
      // connections are spread over the event loops: some readers share the sender's loop, some not
      List<TestClient> readers = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          readers.add(node.connect());
          readers.get(i).join("steady");
        }
        sender.join("steady");
        String filler = "x".repeat(30_000);
        // 100 frames of 30 KB to each reader against a 64 KB bound: only bytes written and released count
        for (int seq = 0; seq < 100; seq++) {
          sender.send(new JsonObject().put("type", "broadcast").put("roomId", "steady")
              .put("data", new JsonObject().put("seq", seq).put("filler", filler)));
          for (TestClient reader : readers) {
            assertThat(reader.expect("broadcast").getJsonObject("data").getInteger("seq")).isEqualTo(seq);
          }
        }
        sender.sync();
        sender.assertNone("error");
        assertThat(log.events()).noneMatch(event -> event.getFormattedMessage().contains("does not read"));
      } finally {
        readers.forEach(TestClient::close);
      }
    }
  }
}
