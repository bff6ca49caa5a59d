package io.signalmesh.jmh;

import io.signalmesh.bench.RelayFrames;
import io.signalmesh.bench.Stamp;
import io.signalmesh.protocol.Envelope;
import io.signalmesh.protocol.EnvelopeParser;
import io.signalmesh.protocol.FieldLimits;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the server does with each relayed frame before it is written: parse and validate the
 * envelope, then rewrite it for the target (drop targetId, set senderId). The frame is the load
 * generator's ~330-byte ice-candidate. {@code treeParseAndReencode} is how relays were handled
 * before the streaming pass (a JsonObject tree, edited and encoded again), kept for comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RelayPathBenchmark {

  private final EnvelopeParser parser = new EnvelopeParser(new FieldLimits(64, 1024));
  private final ClientId sender = ClientId.random();
  private String frame;

  @Setup
  public void setUp() {
    frame = new RelayFrames(330).frame(ClientId.random().value(), new Stamp(17, 123_456, System.nanoTime(), true));
  }

  @Benchmark
  public Envelope parseAndValidate() {
    return parser.parse(frame);
  }

  @Benchmark
  public String parseValidateAndRewrite() {
    Envelope envelope = parser.parse(frame);
    return ServerMessages.relayed(envelope.relay(), sender);
  }

  @Benchmark
  public String treeParseAndReencode() {
    JsonObject body = new JsonObject(frame);
    body.remove("targetId");
    body.put("senderId", sender.value());
    return body.encode();
  }
}
