package io.signalmesh.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.event.KeyValuePair;

/**
 * The node's log output: event loops put events on a bounded queue and return at once; one
 * thread ({@code log-writer}) formats what has queued up and writes it to stdout in one write
 * per batch.
 *
 * <p>Why not logback's AsyncAppender in front of a ConsoleAppender: its worker sleeps in
 * {@code take()}, so each event logged while it is idle wakes it (a futex call on the event
 * loop), and the console writes and flushes every line (a syscall per line). In a join burst
 * those two were a fifth of the node's CPU. This writer, while events keep coming, is not woken
 * by them: it looks at the queue every {@link #POLL_NANOS}, so a line reaches stdout at most
 * that late. After {@link #POLLS_BEFORE_SLEEP} empty looks it sleeps until the next event wakes
 * it, so an idle node does not spend CPU on polling and only the first event after a quiet
 * spell pays for a wake-up.
 *
 * <p>The queue's rules are AsyncAppender's: past {@code discardingThreshold} free slots DEBUG
 * and INFO events are dropped and WARN and ERROR still queue; a full queue drops rather than
 * waits. Dropped events are counted and reported in a WARN line once the queue has room again.
 * {@link #stop()} writes out what is queued, for at most {@code maxFlushTime} ms.
 */
public final class BatchingStdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** About a second without events. */
  static final int POLLS_BEFORE_SLEEP = 100;
  private static final int MAX_BATCH = 1024;

  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 8192;
  private int discardingThreshold = -1;
  private int maxFlushTime = 2000;
  private volatile OutputStream out = new FileOutputStream(FileDescriptor.out);

  private ArrayBlockingQueue<ILoggingEvent> queue;
  private Thread writer;
  private volatile boolean stopping;
  /** The writer sleeps until woken; the next event wakes it. */
  private volatile boolean asleep;
  private final AtomicLong dropped = new AtomicLong();

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  public int getQueueSize() {
    return queueSize;
  }

  /** Free slots below which DEBUG and INFO are dropped; a fifth of the queue unless set. */
  public void setDiscardingThreshold(int discardingThreshold) {
    this.discardingThreshold = discardingThreshold;
  }

  public void setMaxFlushTime(int maxFlushTime) {
    this.maxFlushTime = maxFlushTime;
  }

  /** Where lines go instead of stdout; set before {@link #start()}. */
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  /** Whether the writer sleeps until the next event (after a quiet spell). */
  boolean asleep() {
    return asleep;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for appender " + name);
      return;
    }
    if (queueSize < 1) {
      addError("queueSize must be at least 1, was " + queueSize);
      return;
    }
    if (discardingThreshold < 0) {
      discardingThreshold = queueSize / 5;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    stopping = false;
    writer = new Thread(this::writeUntilStopped, "log-writer");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().toInt() <= Level.INFO_INT && queue.remainingCapacity() < discardingThreshold) {
      dropped.incrementAndGet();
      return;
    }
    event.prepareForDeferredProcessing();
    if (!queue.offer(event)) {
      dropped.incrementAndGet();
    }
    if (asleep) {
      asleep = false;
      LockSupport.unpark(writer);
    }
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    stopping = true;
    LockSupport.unpark(writer);
    try {
      writer.join(maxFlushTime);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      addWarn("stdout took more than " + maxFlushTime + " ms; " + queue.size() + " queued log events not written");
    }
  }

  private void writeUntilStopped() {
    List<ILoggingEvent> batch = new ArrayList<>(MAX_BATCH);
    ByteArrayOutputStream lines = new ByteArrayOutputStream(64 * 1024);
    int emptyPolls = 0;
    while (true) {
      // read before draining: once stopping is seen, no event can still arrive (the appender
      // stopped taking them first), so an empty drain after it means everything is written
      boolean last = stopping;
      if (queue.drainTo(batch, MAX_BATCH) == 0) {
        if (last) {
          return;
        }
        if (++emptyPolls < POLLS_BEFORE_SLEEP) {
          LockSupport.parkNanos(this, POLL_NANOS);
        } else {
          sleepUntilWoken();
          emptyPolls = 0;
        }
        continue;
      }
      emptyPolls = 0;
      for (ILoggingEvent event : batch) {
        encode(event, lines);
      }
      batch.clear();
      long lost = dropped.getAndSet(0);
      if (lost > 0) {
        lines.writeBytes(droppedLine(lost));
      }
      write(lines);
      lines.reset();
    }
  }

  /**
   * Sleeps until an event or {@link #stop()} wakes it. Asleep is set before the queue is looked at
   * once more, and an event is queued before asleep is read, so an event is either seen here or
   * its producer wakes the writer (an unpark before the park makes the park return at once).
   */
  private void sleepUntilWoken() {
    asleep = true;
    while (asleep && queue.isEmpty() && !stopping) {
      LockSupport.park(this);
    }
    asleep = false;
  }

  /** A line that cannot be formatted is reported and skipped: it must not end the writer. */
  private void encode(ILoggingEvent event, ByteArrayOutputStream lines) {
    try {
      lines.writeBytes(encoder.encode(event));
    } catch (RuntimeException e) {
      addError("cannot format a log event of " + event.getLoggerName(), e);
    }
  }

  private byte[] droppedLine(long lost) {
    LoggingEvent event = new LoggingEvent();
    event.setLevel(Level.WARN);
    event.setLoggerName(BatchingStdoutAppender.class.getName());
    event.setThreadName(Thread.currentThread().getName());
    event.setTimeStamp(System.currentTimeMillis());
    event.setMessage("log queue full: events dropped (stdout is not read fast enough)");
    event.addKeyValuePair(new KeyValuePair("dropped", lost));
    event.setMDCPropertyMap(Map.of());
    event.setLoggerContext((LoggerContext) getContext());
    return encoder.encode(event);
  }

  private void write(ByteArrayOutputStream lines) {
    try {
      lines.writeTo(out);
      out.flush();
    } catch (IOException e) {
      addError("cannot write log lines to stdout", e);
    }
  }
}
