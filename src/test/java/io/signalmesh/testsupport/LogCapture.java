package io.signalmesh.testsupport;

import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Collects the log events of this JVM while open, so a test can wait for what the server
 * logs (a connection event is also the only outside sign that the server noticed a drop).
 * Events of concurrent tests mix: match on a client id.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<ILoggingEvent> events = new ArrayList<>();
  private final Logger root;

  private LogCapture(Logger root) {
    this.root = root;
  }

  public static LogCapture attach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogCapture capture = new LogCapture(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
    capture.setContext(context);
    capture.setName("test-capture-" + System.identityHashCode(capture));
    capture.start();
    capture.root.addAppender(capture);
    return capture;
  }

  /** The value of a structured key of the event, as text, or null. */
  public static String value(ILoggingEvent event, String key) {
    if (event.getKeyValuePairs() == null) {
      return null;
    }
    for (KeyValuePair pair : event.getKeyValuePairs()) {
      if (pair.key.equals(key)) {
        return String.valueOf(pair.value);
      }
    }
    return null;
  }

  /** Matches an event whose message contains {@code text} and whose {@code clientId} is the given one. */
  public static Predicate<ILoggingEvent> about(String clientId, String text) {
    return event -> event.getFormattedMessage().contains(text) && Objects.equals(clientId, value(event, "clientId"));
  }

  /** Waits for a matching event (already logged or still to come) and returns it. */
  public synchronized ILoggingEvent await(Predicate<ILoggingEvent> match) {
    long deadline = System.nanoTime() + TestClient.TIMEOUT.toNanos();
    while (true) {
      for (ILoggingEvent event : events) {
        if (match.test(event)) {
          return event;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return fail("no matching log event within " + TestClient.TIMEOUT.toSeconds() + "s");
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  public synchronized List<ILoggingEvent> events() {
    return List.copyOf(events);
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    events.add(event);
    notifyAll();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
