package io.signalmesh.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call of the churn scenario, the shape of a real call set-up: A and B connect, A joins a
 * fresh room, then B; B sends an offer to A, A answers, then each sends its candidates to the
 * other; done when every candidate has arrived. Then A leaves and closes, and B does when it
 * sees A leave (or both at once, to reproduce concurrent leaves). The
 * set-up time runs from A's join (the moment it is written to A's socket) to the last candidate
 * delivered. Both clients of a call live on one event loop of the generator (calls are spread
 * over the loops), so each step of the call runs in the handler of the frame that prompts it,
 * without a hand-over to another thread.
 */
public final class CallSetup {

  /** The outcome: set-up time, or the stage at which it failed. */
  public record Outcome(long setupNanos, String failedStage, long wrongSender) {}

  private final Harness harness;
  private final int index;
  private final String room;
  private final int candidates;
  private final boolean simultaneous;
  private final String sdp;
  private final Promise<Outcome> outcome = Promise.promise();
  private final AtomicInteger candidatesAtA = new AtomicInteger();
  private final AtomicInteger candidatesAtB = new AtomicInteger();
  private final AtomicInteger wrongSender = new AtomicInteger();
  private volatile String stage = "connect";
  private volatile long joinNanos;
  private BenchClient a;
  private BenchClient b;

  public CallSetup(Harness harness, int index, String room, int candidates, String sdp, boolean simultaneous) {
    this.simultaneous = simultaneous;
    this.harness = harness;
    this.index = index;
    this.room = room;
    this.candidates = candidates;
    this.sdp = sdp;
  }

  /** An SDP-looking text of exactly {@code bytes} ASCII bytes: what the offer and the answer carry. */
  public static String sdp(int bytes) {
    return "v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1 s=- t=0 0 ".repeat(1 + bytes / 56).substring(0, bytes);
  }

  /** Runs the call, bounded by {@code timeout}; never fails (a failure is an outcome). */
  public Future<Outcome> run(Duration timeout) {
    long timer = harness.vertx().setTimer(timeout.toMillis(), id -> outcome.tryComplete(new Outcome(0, stage + "-timeout", wrongSender.get())));
    Context loop = harness.loop(index);
    Future.all(harness.connect(2 * index, loop), harness.connect(2 * index + 1, loop)).onComplete(ar -> {
      if (ar.failed()) {
        harness.failures().add(BenchClient.reason(ar.cause()));
        outcome.tryComplete(new Outcome(0, "connect", 0));
        return;
      }
      a = ar.result().resultAt(0);
      b = ar.result().resultAt(1);
      a.onFrame(this::atA);
      b.onFrame(this::atB);
      stage = "join";
      a.join(room, timeout).compose(v -> {
        joinNanos = a.requestSentNanos();
        return b.join(room, timeout);
      }).onComplete(joined -> {
        if (joined.failed()) {
          outcome.tryComplete(new Outcome(0, "join", wrongSender.get()));
          return;
        }
        stage = "offer";
        b.send(relay("offer", a.clientId(), "\"sdp\":{\"type\":\"offer\",\"sdp\":\"" + sdp + "\"}"));
      });
    });
    return outcome.future().andThen(ar -> {
      harness.vertx().cancelTimer(timer);
      hangUp();
    });
  }

  private void atA(Frame frame) {
    String type = frame.type();
    if ("offer".equals(type)) {
      check(frame, b);
      stage = "answer";
      a.send(relay("answer", b.clientId(), "\"sdp\":{\"type\":\"answer\",\"sdp\":\"" + sdp + "\"}"));
      sendCandidates(a, b);
    } else if ("ice-candidate".equals(type)) {
      check(frame, b);
      candidateArrived(candidatesAtA);
    }
  }

  private void atB(Frame frame) {
    String type = frame.type();
    if ("answer".equals(type)) {
      check(frame, a);
      stage = "candidates";
      sendCandidates(b, a);
    } else if ("ice-candidate".equals(type)) {
      check(frame, a);
      candidateArrived(candidatesAtB);
    }
  }

  private void check(Frame frame, BenchClient sender) {
    if (!sender.clientId().equals(frame.senderId())) {
      wrongSender.incrementAndGet();
    }
  }

  private void candidateArrived(AtomicInteger counter) {
    counter.incrementAndGet();
    if (candidatesAtA.get() >= candidates && candidatesAtB.get() >= candidates) {
      outcome.tryComplete(new Outcome(System.nanoTime() - joinNanos, null, wrongSender.get()));
    }
  }

  private void sendCandidates(BenchClient from, BenchClient to) {
    for (int i = 0; i < candidates; i++) {
      from.send(relay("ice-candidate", to.clientId(), "\"candidate\":{\"candidate\":\"candidate:" + (842163049 + i)
          + " 1 udp 2122260223 192.168.1." + (10 + i) + " 5" + (1000 + i) + " typ host generation 0 ufrag EsN6 network-id 1\","
          + "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"EsN6\"}"));
    }
  }

  private static String relay(String type, String targetId, String payload) {
    return "{\"type\":\"" + type + "\",\"targetId\":\"" + targetId + "\"," + payload + "}";
  }

  /**
   * A hangs up (leave-room, close); B leaves once it is told A left (participant-left), or after
   * the timeout. With {@code simultaneous} both leave at the same moment instead.
   */
  private void hangUp() {
    if (a == null || b == null) {
      closeQuietly(a);
      closeQuietly(b);
      return;
    }
    if (simultaneous) {
      leave(a);
      leave(b);
      return;
    }
    long timer = harness.vertx().setTimer(harness.settings().timeout().toMillis(), id -> leave(b));
    b.onFrame(frame -> {
      if ("participant-left".equals(frame.type())) {
        harness.vertx().cancelTimer(timer);
        leave(b);
      }
    });
    leave(a);
  }

  private void leave(BenchClient client) {
    client.send("{\"type\":\"leave-room\",\"roomId\":\"" + room + "\"}");
    client.close();
  }

  private static void closeQuietly(BenchClient client) {
    if (client != null) {
      client.close();
    }
  }
}
