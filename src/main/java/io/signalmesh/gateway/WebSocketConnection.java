package io.signalmesh.gateway;

import io.signalmesh.config.SessionLimits;
import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.protocol.CloseCodes;
import io.signalmesh.protocol.ErrorCode;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.session.Connection;
import io.signalmesh.session.TokenBucket;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client WebSocket: turns frames into whole text messages under the size limit, enforces
 * the message rate, and bounds what is queued towards the client. Reads run on the socket's
 * event loop; {@link #send} may be called from any thread.
 */
final class WebSocketConnection implements Connection {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);
  /** Rate-limit refusals are counted over this window before the connection is closed for abuse. */
  private static final long STRIKE_WINDOW_NANOS = 10_000_000_000L;
  /** A field rather than an AtomicLong: one object less for each of tens of thousands of idle connections. */
  private static final AtomicLongFieldUpdater<WebSocketConnection> PENDING_BYTES =
      AtomicLongFieldUpdater.newUpdater(WebSocketConnection.class, "pendingBytes");

  private final ServerWebSocket socket;
  private final SessionLimits limits;
  private final SignalingMetrics metrics;
  private volatile long pendingBytes;
  private final MessageAssembler assembler;
  private final TokenBucket bucket;
  private volatile boolean closing;
  private volatile boolean finalClose;
  private Runnable onClosed;
  private final Runnable released;
  private boolean closeHandled;
  private String clientId = "-";
  private int strikes;
  private long strikeWindowStart;

  /** @param released run once when the socket closes, whether or not {@link #start} was called */
  WebSocketConnection(ServerWebSocket socket, SessionLimits limits, SignalingMetrics metrics, Runnable released) {
    this.released = released;
    this.metrics = metrics;
    this.socket = socket;
    this.limits = limits;
    UpgradeLeftovers.release(socket);
    this.assembler = new MessageAssembler(limits.maxMessageBytes());
    this.bucket = new TokenBucket(limits.ratePerSecond(), limits.rateBurst(), System.nanoTime());
    socket.closeHandler(ignored -> onSocketClosed());
    if (socket.isClosed()) {
      onSocketClosed();
    }
  }

  private void onSocketClosed() {
    closing = true;
    if (!closeHandled) {
      closeHandled = true;
      released.run();
    }
    Runnable then = onClosed;
    onClosed = null;
    if (then != null) {
      then.run();
    }
  }

  /** Starts reading; {@code onMessage} gets each whole text message that passed the limits, as its bytes. */
  void start(Consumer<byte[]> onMessage, Runnable onClosed) {
    socket.frameHandler(frame -> onFrame(frame, onMessage));
    socket.exceptionHandler(this::onException);
    if (closeHandled) {
      // the socket closed while the session was being opened
      onClosed.run();
    } else {
      this.onClosed = onClosed;
    }
  }

  /**
   * Netty refuses a frame whose header announces more than the frame limit, or a frame it cannot
   * decode (RSV bits without a negotiated extension), before reading its payload. Vert.x only
   * reports that here, so the refusal with its close code is ours to send.
   */
  private void onException(Throwable e) {
    if (e instanceof CorruptedWebSocketFrameException corrupted && !closing) {
      WebSocketCloseStatus status = corrupted.closeStatus();
      if (status.code() == CloseCodes.MESSAGE_TOO_BIG) {
        refuse(ErrorCode.TOO_LARGE, "message larger than " + limits.maxMessageBytes() + " bytes", CloseCodes.MESSAGE_TOO_BIG);
      } else {
        refuse(ErrorCode.BAD_MESSAGE, "invalid WebSocket frame: " + corrupted.getMessage(), (short) status.code());
      }
      return;
    }
    LOG.atDebug().addKeyValue("clientId", clientId).addKeyValue("remote", remoteAddress())
        .addKeyValue("error", String.valueOf(e)).log("websocket error");
  }

  void identify(String clientId) {
    this.clientId = clientId;
  }

  /** True if the client closed normally (1000) or the server closed it for a violation: nothing to resume. */
  boolean closedFinally() {
    if (finalClose) {
      return true;
    }
    Short code = socket.closeStatusCode();
    return code != null && code == CloseCodes.NORMAL;
  }

  void ping() {
    if (!closing) {
      socket.writePing(Buffer.buffer());
    }
  }

  @Override
  public boolean send(String frame) {
    if (closing) {
      return false;
    }
    int bytes = utf8Length(frame);
    long pending = PENDING_BYTES.addAndGet(this, bytes);
    if (pending > limits.maxPendingBytes()) {
      PENDING_BYTES.addAndGet(this, -bytes);
      cutOff(pending);
      return false;
    }
    socket.writeTextMessage(frame).onComplete(done -> PENDING_BYTES.addAndGet(this, -bytes));
    return true;
  }

  /**
   * Writes the bytes as one text frame without decoding them (Vert.x's {@code writeTextMessage}
   * would encode a String into the same bytes). The caller guarantees valid UTF-8; the relayed
   * frame is below the frame size limit (the sender's message plus senderId, a fraction of it),
   * so it never needs splitting.
   */
  @Override
  public boolean sendUtf8(byte[] frame) {
    if (closing) {
      return false;
    }
    int bytes = frame.length;
    long pending = PENDING_BYTES.addAndGet(this, bytes);
    if (pending > limits.maxPendingBytes()) {
      PENDING_BYTES.addAndGet(this, -bytes);
      cutOff(pending);
      return false;
    }
    socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(frame), true))
        .onComplete(done -> PENDING_BYTES.addAndGet(this, -bytes));
    return true;
  }

  @Override
  public void close(short code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    socket.close(code, reason);
  }

  /** Made when asked for (logs only): Vert.x keeps the address, a String of it per idle connection is waste. */
  @Override
  public String remoteAddress() {
    return String.valueOf(socket.remoteAddress());
  }

  private void onFrame(WebSocketFrame frame, Consumer<byte[]> onMessage) {
    // after a close the server started for a violation, the rest is not read; after a drain or
    // replace close, what the client sent before it saw the close frame is still handled
    if (finalClose) {
      return;
    }
    MessageAssembler.Result result = assembler.add(frame);
    switch (result.outcome()) {
      case INCOMPLETE, CONTROL -> { }
      case BINARY -> refuse(ErrorCode.BAD_MESSAGE, "binary frames are not accepted: send JSON text", CloseCodes.UNSUPPORTED_DATA);
      case TOO_LARGE -> refuse(ErrorCode.TOO_LARGE,
          "message larger than " + limits.maxMessageBytes() + " bytes", CloseCodes.MESSAGE_TOO_BIG);
      case MESSAGE -> {
        if (admit()) {
          onMessage.accept(result.utf8());
        }
      }
    }
  }

  /** The rate limit: a refused message gets an error; sustained abuse closes the connection. */
  private boolean admit() {
    long now = System.nanoTime();
    if (bucket.tryTake(now)) {
      return true;
    }
    if (now - strikeWindowStart > STRIKE_WINDOW_NANOS) {
      strikeWindowStart = now;
      strikes = 0;
    }
    strikes++;
    if (strikes > limits.rateBurst()) {
      refuse(ErrorCode.RATE_LIMITED, "message rate limit exceeded repeatedly", CloseCodes.POLICY_VIOLATION);
    } else {
      metrics.error(ErrorCode.RATE_LIMITED);
      send(ServerMessages.error(ErrorCode.RATE_LIMITED,
          "more than " + limits.ratePerSecond() + " messages per second: message dropped", null));
    }
    return false;
  }

  /** Sends the error and closes for good: the session, if any, ends at once. */
  void refuse(ErrorCode code, String message, short closeCode) {
    LOG.atWarn().addKeyValue("clientId", clientId).addKeyValue("remote", remoteAddress())
        .addKeyValue("code", code.wireName()).addKeyValue("closeCode", closeCode).log("closing connection: " + message);
    finalClose = true;
    metrics.error(code);
    send(ServerMessages.error(code, message, null));
    close(closeCode, code.wireName());
  }

  private void cutOff(long pending) {
    metrics.slowConsumer();
    LOG.atWarn().addKeyValue("clientId", clientId).addKeyValue("remote", remoteAddress())
        .addKeyValue("pendingBytes", pending).log("closing connection: client does not read (slow consumer)");
    closing = true;
    // Nothing more is queued for it (closing refuses every send). The close frame waits behind
    // what it did not read, so the TCP connection ends at the closing timeout at the latest.
    socket.close(CloseCodes.POLICY_VIOLATION, "slow consumer");
  }

  /** Bytes the frame takes on the wire, without encoding it (the limit is in bytes, frames may hold any text). */
  static int utf8Length(String text) {
    int length = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          length += 1;
        } else if (Character.isHighSurrogate(c)) {
          length += 2;
          i++;
        } else {
          length += 2;
        }
      }
    }
    return length;
  }
}
