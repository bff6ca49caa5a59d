package io.signalmesh.jmh;

import io.signalmesh.bench.RelayFrames;
import io.signalmesh.bench.Stamp;
import io.signalmesh.protocol.Envelope;
import io.signalmesh.protocol.EnvelopeParser;
import io.signalmesh.protocol.FieldLimits;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.session.ClientId;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the server does with each relayed frame between the bytes it read and the bytes it
 * writes: check the UTF-8, parse and validate the envelope, then build the target's frame (drop
 * targetId, set senderId) from the sender's bytes. The frame is the load generator's ~330-byte
 * ice-candidate. {@code treeParseAndReencode} is how relays were handled before the streaming
 * pass (a JsonObject tree, edited and encoded again), kept for comparison; {@code
 * textInTextOut} is the relay through Strings (decoded, parsed, rewritten, encoded for the
 * write). Run with {@code -prof gc} for the bytes allocated per relay.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RelayPathBenchmark {

  private final EnvelopeParser parser = new EnvelopeParser(new FieldLimits(64, 1024));
  private final ClientId sender = ClientId.random();
  private String frame;
  private byte[] frameBytes;

  @Setup
  public void setUp() {
    frame = new RelayFrames(330).frame(ClientId.random().value(), new Stamp(17, 123_456, System.nanoTime(), true));
    frameBytes = frame.getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public Envelope parseAndValidate() {
    return parser.parse(frameBytes);
  }

  @Benchmark
  public byte[] parseValidateAndRewrite() {
    Envelope envelope = parser.parse(frameBytes);
    return ServerMessages.relayedUtf8(envelope.relay(), sender);
  }

  @Benchmark
  public byte[] textInTextOut() {
    Envelope envelope = parser.parse(new String(frameBytes, StandardCharsets.UTF_8));
    return ServerMessages.relayed(envelope.relay(), sender).getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public String treeParseAndReencode() {
    JsonObject body = new JsonObject(frame);
    body.remove("targetId");
    body.put("senderId", sender.value());
    return body.encode();
  }
}
