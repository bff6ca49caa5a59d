package io.signalmesh.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.signalmesh.config.ServerConfig.LogFormat;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Switches the log format chosen with {@code --log-format} (text is what logback.xml sets up),
 * and writes out what is still queued when the process ends: both configurations log through a
 * queue that a writer thread empties ({@link BatchingStdoutAppender}), so events logged just
 * before an exit are lost unless the logger context is stopped first.
 */
public final class LogSetup {

  private LogSetup() {}

  /**
   * Stops the logger context: every appender writes out what it queued (for at most the
   * configured {@code maxFlushTime}) and closes. Logging after this writes nothing; call it last.
   */
  public static void stop() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }

  /**
   * Until closed, the appenders of the root logger write nothing below WARN. The loggers stay as
   * they are, so code that logs runs the same path as when it is written out (a warm-up compiles
   * it), and what is wrong still shows.
   */
  public static AutoCloseable quiet() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return () -> { };
    }
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appenders::add);
    Filter<ILoggingEvent> belowWarn = new Filter<>() {
      @Override
      public FilterReply decide(ILoggingEvent event) {
        return event.getLevel().isGreaterOrEqual(Level.WARN) ? FilterReply.NEUTRAL : FilterReply.DENY;
      }
    };
    belowWarn.start();
    appenders.forEach(appender -> appender.addFilter(belowWarn));
    return () -> appenders.forEach(appender -> {
      List<Filter<ILoggingEvent>> others = appender.getCopyOfAttachedFiltersList();
      others.remove(belowWarn);
      appender.clearAllFilters();
      others.forEach(appender::addFilter);
    });
  }

  public static void apply(LogFormat format) {
    if (format != LogFormat.JSON || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    URL config = LogSetup.class.getResource("/logback-json.xml");
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure JSON logging", e);
    }
  }
}
