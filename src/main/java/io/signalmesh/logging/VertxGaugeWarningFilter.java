package io.signalmesh.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning for Vert.x's own meters.
 *
 * <p>Vert.x's metrics register a connection gauge again for every server and client that shares
 * its name and tags (the signaling and management servers, the event bus's connections), and keep
 * one count per meter id, so the figures are right (vert-x3/vertx-micrometer-metrics#259,
 * micrometer-metrics/micrometer#6931). Micrometer 1.13.9 and later warn about the second
 * registration once per registry, which an operator reads as a fault at every start. The same
 * warning for any other meter (signalmesh's own) still shows: there it would be a bug.
 */
public final class VertxGaugeWarningFilter extends Filter<ILoggingEvent> {

  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String VERTX_GAUGE_AGAIN = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return LOGGER.equals(event.getLoggerName()) && event.getFormattedMessage() != null
        && event.getFormattedMessage().startsWith(VERTX_GAUGE_AGAIN)
        ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
