package io.signalmesh.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.protocol.MessageType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The signaling meters of a node (Prometheus names in docs/operations.md). Counters are made
 * once here, so the hot path only increments; Vert.x adds its own (HTTP, event bus) beside them.
 */
public final class SignalingMetrics {

  private final MeterRegistry registry;
  private final Map<MessageType, Counter> relayedLocal = new EnumMap<>(MessageType.class);
  private final Map<MessageType, Counter> relayedRemote = new EnumMap<>(MessageType.class);
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Timer relayHandling;
  private final Counter resumedHere;
  private final Counter resumedFromOtherNode;
  private final Counter sessionsStarted;
  private final Counter slowConsumers;
  private final Counter reaped;
  private final Map<String, Timer> redisCalls = new ConcurrentHashMap<>();
  private final Map<String, Counter> redisFailures = new ConcurrentHashMap<>();

  public SignalingMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (MessageType type : MessageType.values()) {
      if (type.isRelay() || type == MessageType.BROADCAST) {
        relayedLocal.put(type, Counter.builder("signalmesh.relayed.messages").description("Messages relayed to clients")
            .tag("type", type.wireName()).tag("path", "local").register(registry));
        relayedRemote.put(type, Counter.builder("signalmesh.relayed.messages").description("Messages relayed to clients")
            .tag("type", type.wireName()).tag("path", "remote").register(registry));
      }
    }
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(code, Counter.builder("signalmesh.errors").description("Error frames sent to clients")
          .tag("code", code.wireName()).register(registry));
    }
    relayHandling = Timer.builder("signalmesh.relay.handling").description("From a relayed frame's arrival to its hand-off (write or event bus)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry);
    resumedHere = Counter.builder("signalmesh.resumes").tag("from", "same-node").register(registry);
    resumedFromOtherNode = Counter.builder("signalmesh.resumes").tag("from", "other-node").register(registry);
    sessionsStarted = Counter.builder("signalmesh.sessions.started").register(registry);
    slowConsumers = Counter.builder("signalmesh.slow.consumers").description("Connections cut off for not reading").register(registry);
    reaped = Counter.builder("signalmesh.reaped.participants").description("Members of dead nodes removed").register(registry);
  }

  /**
   * A node's meters, with the JVM's beside them (heap, GC pauses, threads, CPU): a GC pause
   * longer than the failure detector's 5 s makes a live node look dead, so it must be seen.
   */
  public static SignalingMetrics forNode(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return new SignalingMetrics(registry);
  }

  /** Meters that go nowhere, for parts built without a node (tests, tools). */
  public static SignalingMetrics none() {
    return new SignalingMetrics(new SimpleMeterRegistry());
  }

  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /**
   * A counter kept elsewhere: a running total of {@code owner}, which the node holds for its
   * whole life (the meter keeps only a weak reference to it).
   */
  public <T> void counter(String name, String description, T owner, java.util.function.ToDoubleFunction<T> total) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, owner, total).description(description).register(registry);
  }

  public void relayed(MessageType type, boolean remote, long handlingNanos) {
    Counter counter = (remote ? relayedRemote : relayedLocal).get(type);
    if (counter != null) {
      counter.increment();
    }
    relayHandling.record(handlingNanos, TimeUnit.NANOSECONDS);
  }

  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  public void resumed(boolean fromOtherNode) {
    (fromOtherNode ? resumedFromOtherNode : resumedHere).increment();
  }

  public void sessionStarted() {
    sessionsStarted.increment();
  }

  public void slowConsumer() {
    slowConsumers.increment();
  }

  public void reaped(int members) {
    reaped.increment(members);
  }

  public void redisCall(String op, long nanos, boolean succeeded) {
    redisCalls.computeIfAbsent(op, o -> Timer.builder("signalmesh.redis.calls").tag("op", o)
        .publishPercentileHistogram().register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    if (!succeeded) {
      redisFailures.computeIfAbsent(op, o -> Counter.builder("signalmesh.redis.failures").tag("op", o).register(registry))
          .increment();
    }
  }
}
