package io.signalmesh.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class UpstreamNoiseFilterTest {

  private final Logger micrometer = (Logger) LoggerFactory.getLogger(UpstreamNoiseFilter.MICROMETER_LOGGER);
  private final Logger vertxContext = (Logger) LoggerFactory.getLogger(UpstreamNoiseFilter.VERTX_CONTEXT_LOGGER);
  private final ListAppender<ILoggingEvent> written = new ListAppender<>();
  private final ListAppender<ILoggingEvent> everything = new ListAppender<>();
  private static final StackTraceElement OUTBOUND_WRITE = new StackTraceElement(
      "io.vertx.core.eventbus.impl.clustered.OutboundConnection", "writeMessage", "OutboundConnection.java", 86);
  private Level levelBefore;

  @BeforeEach
  void listen() {
    levelBefore = micrometer.getLevel();
    // Micrometer warns once per registry and logs the repeats at DEBUG
    micrometer.setLevel(Level.DEBUG);
    UpstreamNoiseFilter filter = new UpstreamNoiseFilter();
    filter.start();
    written.addFilter(filter);
    written.start();
    everything.start();
    micrometer.addAppender(written);
    micrometer.addAppender(everything);
    vertxContext.addAppender(written);
    vertxContext.addAppender(everything);
  }

  @AfterEach
  void stopListening() {
    micrometer.detachAppender(written);
    micrometer.detachAppender(everything);
    vertxContext.detachAppender(written);
    vertxContext.detachAppender(everything);
    micrometer.setLevel(levelBefore);
  }

  @Test
  void aVertxGaugeRegisteredAgainIsNotWritten() {
    MeterRegistry registry = new SimpleMeterRegistry();
    registerTwice(registry, "vertx.http.server.active.connections");

    assertThat(messages(everything)).singleElement().asString()
        .startsWith("This Gauge has been already registered (MeterId{name='vertx.http.server.active.connections'");
    assertThat(written.list).isEmpty();
  }

  @Test
  void aSignalmeshGaugeRegisteredAgainIsStillWritten() {
    MeterRegistry registry = new SimpleMeterRegistry();
    registerTwice(registry, "signalmesh.connections");

    assertThat(messages(written)).singleElement().asString()
        .startsWith("This Gauge has been already registered (MeterId{name='signalmesh.connections'");
  }

  @Test
  void anEventBusWriteCompletedTwiceIsNotWritten() {
    vertxContext.error("Unhandled exception", completedTwice(OUTBOUND_WRITE));

    assertThat(messages(everything)).containsExactly("Unhandled exception");
    assertThat(written.list).isEmpty();
  }

  @Test
  void aPromiseCompletedTwiceElsewhereIsStillWritten() {
    vertxContext.error("Unhandled exception", completedTwice(
        new StackTraceElement("io.signalmesh.routing.NodeLink", "writeMessage", "NodeLink.java", 1)));

    assertThat(messages(written)).containsExactly("Unhandled exception");
  }

  @Test
  void anotherExceptionFromAnEventBusWriteIsStillWritten() {
    IllegalStateException other = new IllegalStateException("something else");
    other.setStackTrace(new StackTraceElement[] {OUTBOUND_WRITE});
    vertxContext.error("Unhandled exception", other);

    assertThat(messages(written)).containsExactly("Unhandled exception");
  }

  @Test
  void otherEventsAreNotFormattedOnTheLoggingThread() {
    AtomicLong formatted = new AtomicLong();
    Object field = new Object() {
      @Override
      public String toString() {
        formatted.incrementAndGet();
        return "field";
      }
    };
    // only the filtered appender: the test configuration's console would format it
    Logger elsewhere = (Logger) LoggerFactory.getLogger("upstream-noise-filter-test.SessionLifecycle");
    elsewhere.setAdditive(false);
    elsewhere.setLevel(Level.INFO);
    elsewhere.addAppender(written);
    try {
      elsewhere.info("session started {}", field);
    } finally {
      elsewhere.detachAppender(written);
    }

    assertThat(written.list).hasSize(1);
    assertThat(formatted).as("formatting is the log writer's work, not the event loop's").hasValue(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/logback.xml", "/logback-json.xml"})
  void bothShippedLogConfigurationsFilterTheirOutput(String config) throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogSetup.class.getResource(config));
    try {
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT").getCopyOfAttachedFiltersList())
          .hasAtLeastOneElementOfType(UpstreamNoiseFilter.class);
    } finally {
      context.stop();
    }
  }

  // the frames of the exception Vert.x 5.0.7 logs when it completes a write's promise twice
  private static IllegalStateException completedTwice(StackTraceElement writer) {
    IllegalStateException thrown = new IllegalStateException("Promise already completed");
    thrown.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 104),
        new StackTraceElement("io.vertx.core.impl.future.FutureImpl", "onComplete", "FutureImpl.java", 96),
        writer,
        new StackTraceElement("io.vertx.core.eventbus.impl.clustered.ClusteredEventBus", "sendRemote", "ClusteredEventBus.java", 352)});
    return thrown;
  }

  private static void registerTwice(MeterRegistry registry, String name) {
    AtomicLong count = new AtomicLong();
    Gauge.builder(name, count, AtomicLong::get).register(registry);
    Gauge.builder(name, count, AtomicLong::get).register(registry);
  }

  private static List<String> messages(ListAppender<ILoggingEvent> appender) {
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
