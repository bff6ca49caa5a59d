package io.signalmesh.testsupport.netns;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accounts for every relayed message between test clients, the way "nothing lost" is defined
 * (docs/reliability.md): each message carries its number in its stream (one stream per sender
 * and target); a message is either delivered to its target once and in order, or its sender
 * gets an {@code error} naming the target. Not thread-safe: one test thread sends and collects.
 */
public final class RelayLedger {

  public static final String TYPE = "ice-candidate";

  private final Map<String, TestClient> clients = new LinkedHashMap<>();
  private final Map<String, Integer> sent = new LinkedHashMap<>();
  private final Map<String, List<Integer>> received = new LinkedHashMap<>();
  private final Map<String, Integer> errors = new LinkedHashMap<>();
  private final Map<String, List<JsonObject>> others = new LinkedHashMap<>();
  private final Map<String, Long> firstErrorNanos = new LinkedHashMap<>();
  private final Map<String, Long> sentAtNanos = new LinkedHashMap<>();
  private final List<Long> delaysNanos = new ArrayList<>();

  public RelayLedger(TestClient... participants) {
    for (TestClient client : participants) {
      clients.put(client.id(), client);
      others.put(client.id(), new ArrayList<>());
    }
  }

  /** Sends the next numbered message of the stream {@code from} → {@code to}; returns its number. */
  public int send(TestClient from, TestClient to) {
    String stream = stream(from.id(), to.id());
    int seq = sent.merge(stream, 1, Integer::sum);
    sentAtNanos.put(stream + "#" + seq, System.nanoTime());
    from.relay(TYPE, to.id(), new JsonObject().put("seq", seq));
    return seq;
  }

  /** Takes everything the clients received so far into the ledger. */
  public void collect() {
    long now = System.nanoTime();
    for (TestClient client : clients.values()) {
      for (JsonObject message : client.drain()) {
        String type = message.getString("type");
        if (TYPE.equals(type) && message.containsKey("seq")) {
          String stream = stream(message.getString("senderId"), client.id());
          received.computeIfAbsent(stream, s -> new ArrayList<>()).add(message.getInteger("seq"));
          Long sentAt = sentAtNanos.get(stream + "#" + message.getInteger("seq"));
          if (sentAt != null) {
            delaysNanos.add(now - sentAt);
          }
        } else if ("error".equals(type) && message.containsKey("targetId")) {
          String stream = stream(client.id(), message.getString("targetId"));
          errors.merge(stream, 1, Integer::sum);
          firstErrorNanos.putIfAbsent(stream, now);
        } else {
          others.get(client.id()).add(message);
        }
      }
    }
  }

  public int sent(TestClient from, TestClient to) {
    return sent.getOrDefault(stream(from.id(), to.id()), 0);
  }

  public List<Integer> received(TestClient from, TestClient to) {
    return received.getOrDefault(stream(from.id(), to.id()), List.of());
  }

  public int errors(TestClient from, TestClient to) {
    return errors.getOrDefault(stream(from.id(), to.id()), 0);
  }

  /** When the test first saw an error for the stream (System.nanoTime), or null. */
  public Long firstError(TestClient from, TestClient to) {
    return firstErrorNanos.get(stream(from.id(), to.id()));
  }

  /** When message {@code seq} of the stream was sent (System.nanoTime). */
  public long sentAt(TestClient from, TestClient to, int seq) {
    return sentAtNanos.get(stream(from.id(), to.id()) + "#" + seq);
  }

  /** Whether every message of the stream has arrived. */
  public boolean allDelivered(TestClient from, TestClient to) {
    return received(from, to).size() >= sent(from, to);
  }

  /** Whether every message of the stream has arrived or been reported to its sender. */
  public boolean allAccountedFor(TestClient from, TestClient to) {
    return received(from, to).size() + errors(from, to) >= sent(from, to);
  }

  /** Messages a client received that are neither stream messages nor delivery errors, in order. */
  public List<JsonObject> othersOf(TestClient client) {
    return others.get(client.id());
  }

  /**
   * Nothing delivered twice or out of order: the numbers received are strictly increasing. With
   * {@code complete}, they are exactly 1..sent; else every missing one was reported to the
   * sender (an error each), so none vanished silently.
   */
  public void assertStream(TestClient from, TestClient to, boolean complete) {
    List<Integer> got = received(from, to);
    String stream = stream(from.id(), to.id());
    for (int i = 1; i < got.size(); i++) {
      assertThat(got.get(i)).as("stream %s: message after %s (received %s)", stream, got.get(i - 1), got)
          .isGreaterThan(got.get(i - 1));
    }
    if (complete) {
      assertThat(got).as("stream %s: all delivered once, in order", stream)
          .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, sent(from, to)).boxed().toList());
      assertThat(errors(from, to)).as("stream %s: errors", stream).isZero();
    } else {
      assertThat(got.size() + errors(from, to)).as("stream %s: delivered + reported lost, of %d sent",
          stream, sent(from, to)).isGreaterThanOrEqualTo(sent(from, to));
    }
  }

  /**
   * The {@code percentile} (0-100) of the time from sending to collecting, over every message
   * delivered so far (as fine as the test's collecting allows).
   */
  public Duration delay(double percentile) {
    if (delaysNanos.isEmpty()) {
      return Duration.ZERO;
    }
    List<Long> sorted = delaysNanos.stream().sorted().toList();
    int index = (int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100 * sorted.size()) - 1);
    return Duration.ofNanos(sorted.get(Math.max(0, index)));
  }

  public String summary(TestClient from, TestClient to) {
    return "sent " + sent(from, to) + ", delivered " + received(from, to).size() + ", reported lost " + errors(from, to);
  }

  private static String stream(String from, String to) {
    return from + "->" + to;
  }
}
