package io.signalmesh.gateway;

import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Honest clients in pairs, each relaying numbered offers to its partner at a steady rate while
 * the node is under attack, and checking what arrives: every offer from the partner, once, in
 * order; no error and no close. The first client (the victim) also shares a room with an
 * attacker: offers from anyone but its partner must carry the sender id the node gave that
 * attacker, never the one the attacker wrote.
 */
final class HonestTraffic implements AutoCloseable {

  private static final String SDP = "v=0 " + "a=candidate ".repeat(60);

  private final List<TestClient> clients = new ArrayList<>();
  private final long[] sent;
  private final long[] received;
  private final Set<String> attackerIds;
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  private final Map<String, Long> fromAttackers = new ConcurrentHashMap<>();

  /**
   * @param connect opens client {@code i} (with its room token) and joins its rooms
   * @param attackerIds the ids the node gave the spoofing attacker, filled while it runs
   */
  HonestTraffic(int pairs, Function<Integer, TestClient> connect, Set<String> attackerIds) {
    for (int i = 0; i < 2 * pairs; i++) {
      clients.add(connect.apply(i));
    }
    this.sent = new long[clients.size()];
    this.received = new long[clients.size()];
    this.attackerIds = attackerIds;
  }

  List<String> ids() {
    return clients.stream().map(TestClient::id).toList();
  }

  List<String> sessionTokens() {
    return clients.stream().map(TestClient::sessionToken).toList();
  }

  TestClient client(int i) {
    return clients.get(i);
  }

  /** One offer from every client to its partner. */
  synchronized void tick() {
    for (int i = 0; i < clients.size(); i++) {
      clients.get(i).send(new JsonObject().put("type", "offer").put("targetId", partner(i).id())
          .put("seq", sent[i]++).put("sdp", SDP));
    }
  }

  /** Takes and checks what has arrived. */
  synchronized void check() {
    for (int i = 0; i < clients.size(); i++) {
      TestClient client = clients.get(i);
      if (client.isClosed()) {
        violations.add("honest client " + i + " was closed");
      }
      for (JsonObject message : client.drain()) {
        String type = message.getString("type");
        String sender = message.getString("senderId");
        if ("offer".equals(type) && partner(i).id().equals(sender)) {
          long seq = message.getLong("seq");
          if (seq != received[i]) {
            violations.add("client " + i + " got offer " + seq + " from its partner, expected " + received[i]);
          }
          received[i] = seq + 1;
        } else if ("offer".equals(type) && i == 0 && attackerIds.contains(sender)) {
          fromAttackers.merge(sender, 1L, Long::sum);
        } else if ("offer".equals(type)) {
          violations.add("client " + i + " got an offer from " + sender + " (spoofed?): " + message.encode());
        } else if ("error".equals(type)) {
          violations.add("client " + i + " got an error: " + message.encode());
        }
      }
    }
  }

  /** Waits until every offer sent has arrived (or the deadline passes), checking as it goes. */
  void awaitDelivered(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!allDelivered() && System.nanoTime() - deadline < 0) {
      for (TestClient client : clients) {
        client.awaitAny(Duration.ofMillis(100));
      }
      check();
    }
  }

  synchronized boolean allDelivered() {
    for (int i = 0; i < clients.size(); i++) {
      if (received[i] != sent[partnerIndex(i)]) {
        return false;
      }
    }
    return true;
  }

  synchronized String progress() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < clients.size(); i++) {
      out.append(String.format("client %d got %d of %d; ", i, received[i], sent[partnerIndex(i)]));
    }
    return out.toString();
  }

  long offersSent() {
    long total = 0;
    for (long s : sent) {
      total += s;
    }
    return total;
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  /** Offers the victim got from the spoofing attacker, by the sender id the node stamped on them. */
  Map<String, Long> offersFromAttackers() {
    return Map.copyOf(fromAttackers);
  }

  private TestClient partner(int i) {
    return clients.get(partnerIndex(i));
  }

  private static int partnerIndex(int i) {
    return i % 2 == 0 ? i + 1 : i - 1;
  }

  @Override
  public void close() {
    clients.forEach(TestClient::close);
  }
}
