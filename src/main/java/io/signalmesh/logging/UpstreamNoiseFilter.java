package io.signalmesh.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the log events of two known, harmless faults of the libraries signalmesh runs on, which
 * an operator would otherwise read as faults of the node. Each rule matches one event exactly;
 * anything like it from elsewhere still shows.
 *
 * <ol>
 *   <li><b>Micrometer's "This Gauge has been already registered" for Vert.x's meters.</b> Vert.x
 *   registers its connection gauges again for every server and client that shares their name (the
 *   signaling and management servers, the event bus's connections) and keeps one count per meter
 *   id, so the figures are right (vert-x3/vertx-micrometer-metrics#259,
 *   micrometer-metrics/micrometer#6931). Micrometer 1.13.9 and later warn about the second
 *   registration, once per registry: at every start. For one of signalmesh's own meters the same
 *   warning would be a bug, and it still shows.</li>
 *   <li><b>Vert.x 5.0.7's "Unhandled exception: Promise already completed" from the clustered
 *   event bus's {@code OutboundConnection.writeMessage}.</b> When the connection to a node that
 *   died is closed while frames are still being sent to it, the event bus fails each write's
 *   promise on the close and then completes it again when the write itself fails; the second
 *   completion throws, and the context logs it at ERROR with its stack, once per frame. The first
 *   failure reaches the sender ({@code NodeLink}), which holds the frames and resends or parks
 *   them, and logs the lost link itself.</li>
 * </ol>
 */
public final class UpstreamNoiseFilter extends Filter<ILoggingEvent> {

  static final String MICROMETER_LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String VERTX_CONTEXT_LOGGER = "io.vertx.core.impl.ContextImpl";
  private static final String VERTX_GAUGE_AGAIN = "This Gauge has been already registered (MeterId{name='vertx.";
  private static final String COMPLETED_TWICE = "Promise already completed";
  private static final String OUTBOUND_WRITE = "io.vertx.core.eventbus.impl.clustered.OutboundConnection.writeMessage";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return vertxGaugeRegisteredAgain(event) || eventBusWriteCompletedTwice(event) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }

  // the logger's name first: this runs on the thread that logs (an event loop), and formatting
  // every event's message here would move the log writer's work onto it
  private static boolean vertxGaugeRegisteredAgain(ILoggingEvent event) {
    if (!MICROMETER_LOGGER.equals(event.getLoggerName())) {
      return false;
    }
    String message = event.getFormattedMessage();
    return message != null && message.startsWith(VERTX_GAUGE_AGAIN);
  }

  private static boolean eventBusWriteCompletedTwice(ILoggingEvent event) {
    IThrowableProxy thrown = event.getThrowableProxy();
    if (!VERTX_CONTEXT_LOGGER.equals(event.getLoggerName()) || thrown == null
        || !IllegalStateException.class.getName().equals(thrown.getClassName())
        || !COMPLETED_TWICE.equals(thrown.getMessage())) {
      return false;
    }
    for (StackTraceElementProxy frame : thrown.getStackTraceElementProxyArray()) {
      String at = frame.getStackTraceElement().getClassName() + "." + frame.getStackTraceElement().getMethodName();
      if (OUTBOUND_WRITE.equals(at)) {
        return true;
      }
    }
    return false;
  }
}
