package io.signalmesh.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import io.signalmesh.testsupport.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node's log configurations (text and JSON) as an event loop sees them: logging returns at
 * once even while nobody reads stdout, warnings still get through when information is dropped
 * and a warning counts what was dropped, a burst is written in a few writes rather than one per
 * line, an event after a quiet spell (the writer asleep) is written, and what was queued is
 * written out when the logger context stops (the node's shutdown).
 * Each test loads the shipped configuration into a context of its own, with stdout replaced by
 * a stream the test holds shut.
 */
@Timeout(60)
class AsyncLoggingTest {

  @ParameterizedTest
  @ValueSource(strings = {"/logback.xml", "/logback-json.xml"})
  void loggingNeverWaitsForAStdoutNobodyReadsAndWarningsStillGetThrough(String config) throws Exception {
    Configured logging = Configured.load(config);
    Logger log = logging.context.getLogger("io.signalmesh.test");
    int informations = logging.appender.getQueueSize() * 2;

    // an event loop logging while the collector reading stdout is stuck
    Thread loop = new Thread(() -> logging.info("session started", informations));
    loop.start();
    loop.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(loop.isAlive()).as("logging waited for stdout").isFalse();

    log.atWarn().addKeyValue("n", -1).log("closing connection: still heard");
    logging.stdout.open();
    Wait.until("the warning to be written", Duration.ofSeconds(30),
        () -> logging.stdout.text().contains("closing connection: still heard"));
    logging.context.stop();

    String written = logging.stdout.text();
    long infoLines = logging.stdout.lines("session started");
    assertThat(infoLines).as("information dropped while stdout was stuck").isPositive().isLessThan(informations);
    assertThat(infoLines + reportedDropped(written)).as("every event written or counted as dropped").isEqualTo(informations);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/logback.xml", "/logback-json.xml"})
  void aBurstOfEventsIsWrittenInAFewWritesNotOnePerLine(String config) throws Exception {
    Configured logging = Configured.load(config);
    int events = 5000;
    logging.stdout.open();
    logging.info("room joined", events);
    Wait.until("the burst to be written", Duration.ofSeconds(30), () -> logging.stdout.lines("room joined") == events);
    logging.context.stop();

    assertThat(logging.stdout.writes()).as("writes to stdout for %d lines", events).isLessThanOrEqualTo(events / 10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/logback.xml", "/logback-json.xml"})
  void anEventAfterAQuietSpellWakesTheSleepingWriter(String config) throws Exception {
    Configured logging = Configured.load(config);
    logging.stdout.open();
    logging.info("session started", 1);
    Wait.until("the first line to be written", Duration.ofSeconds(30), () -> logging.stdout.lines("session started") == 1);
    Wait.until("the idle writer to fall asleep", Duration.ofSeconds(30), logging.appender::asleep);

    logging.info("session ended", 1);
    Wait.until("the line after the quiet spell to be written", Duration.ofSeconds(30),
        () -> logging.stdout.lines("session ended") == 1);
    logging.context.stop();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/logback.xml", "/logback-json.xml"})
  void everythingQueuedIsWrittenWhenTheContextStops(String config) throws Exception {
    Configured logging = Configured.load(config);
    int events = 1000;
    logging.info("session ended", events);
    // the writer is still held up when the shutdown begins
    Thread stopping = new Thread(logging.context::stop);
    stopping.start();
    logging.stdout.open();
    stopping.join();

    assertThat(logging.stdout.lines("session ended")).isEqualTo(events);
  }

  private static final Pattern DROPPED = Pattern.compile("\"?dropped\"?[=:]\"?(\\d+)");

  /** The sum of the drop counts the appender's warnings report. */
  private static long reportedDropped(String written) {
    long total = 0;
    for (String line : written.lines().filter(line -> line.contains("events dropped")).toList()) {
      Matcher count = DROPPED.matcher(line);
      assertThat(count.find()).as("a drop count in %s", line).isTrue();
      total += Long.parseLong(count.group(1));
    }
    return total;
  }

  /** A shipped configuration in a context of its own, its appender writing to {@link #stdout}. */
  private record Configured(LoggerContext context, BatchingStdoutAppender appender, HeldStream stdout) {

    /** {@code count} INFO events with {@code message}, numbered in a field {@code n}. */
    void info(String message, int count) {
      Logger log = context.getLogger("io.signalmesh.test");
      for (int i = 0; i < count; i++) {
        log.atInfo().addKeyValue("n", i).log(message);
      }
    }

    static Configured load(String resource) throws Exception {
      LoggerContext context = new LoggerContext();
      // what logback's SLF4J provider gives the context it creates
      context.setMDCAdapter(new LogbackMDCAdapter());
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(AsyncLoggingTest.class.getResource(resource));
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      BatchingStdoutAppender appender = (BatchingStdoutAppender) root.getAppender("STDOUT");
      assertThat(appender).as("root logs through the STDOUT appender in %s", resource).isNotNull();
      assertThat(appender.isStarted()).as("STDOUT started in %s", resource).isTrue();
      HeldStream stdout = new HeldStream();
      appender.setOutputStream(stdout);
      return new Configured(context, appender, stdout);
    }
  }

  /** Stdout with a collector that does not read: writes wait until {@link #open}. */
  private static final class HeldStream extends OutputStream {

    private final CountDownLatch opened = new CountDownLatch(1);
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final AtomicInteger writes = new AtomicInteger();

    void open() {
      opened.countDown();
    }

    int writes() {
      return writes.get();
    }

    long lines(String containing) {
      return text().lines().filter(line -> line.contains(containing)).count();
    }

    String text() {
      synchronized (written) {
        return written.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      awaitOpen();
      writes.incrementAndGet();
      synchronized (written) {
        written.write(bytes, offset, length);
      }
    }

    /** Not interruptible: a stop must not cut a write short. */
    private void awaitOpen() {
      boolean interrupted = false;
      while (opened.getCount() > 0) {
        try {
          opened.await();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
