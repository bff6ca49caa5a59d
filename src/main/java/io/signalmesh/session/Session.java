package io.signalmesh.session;

import io.signalmesh.auth.RoomToken;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One client's session: its identity, rooms and current connection. It outlives a dropped
 * connection for the resume grace, keeping frames meant for it in a bounded inbox.
 *
 * <p>Frames are delivered from any event loop (peers live on all of them), and a resume may
 * arrive on another loop than the one the session started on, so state changes and sends are
 * guarded by the session's monitor; sends only queue onto the connection, never block.
 */
public final class Session {

  /** Where a session is in its life. */
  public enum State { CONNECTED, DETACHED, ENDED }

  /** What became of a frame given to {@link #deliver}. */
  public enum Delivery { SENT, QUEUED, REFUSED }

  private final ClientId id;
  private final String sessionToken;
  private final Set<RoomId> rooms = ConcurrentHashMap.newKeySet();
  private final ResumeInbox inbox;
  private final RoomToken grant;
  private State state = State.CONNECTED;
  /** Frames queue even while connected, until {@link #release}: earlier ones are still to come from elsewhere. */
  private boolean held;
  private Connection connection;
  private long graceTimer = -1;
  private Future<?> operations = Future.succeededFuture();

  /**
   * @param grant the room token the session connected with, or null in open mode
   */
  public Session(ClientId id, String sessionToken, Connection connection, int inboxCapacity, RoomToken grant) {
    this.id = id;
    this.grant = grant;
    this.sessionToken = sessionToken;
    this.connection = connection;
    this.inbox = new ResumeInbox(inboxCapacity);
  }

  /**
   * A session taken over from another node: it queues what it is sent until {@link #attach}
   * puts it on its connection, after the frames handed over with it.
   */
  public static Session resumed(ClientId id, String sessionToken, int inboxCapacity, RoomToken grant) {
    Session session = new Session(id, sessionToken, null, inboxCapacity, grant);
    session.state = State.DETACHED;
    return session;
  }

  public ClientId id() {
    return id;
  }

  /** The room token the session connected with; null in open mode. */
  public RoomToken grant() {
    return grant;
  }

  public String sessionToken() {
    return sessionToken;
  }

  /** The rooms the session is in (a live, thread-safe view). */
  public Set<RoomId> rooms() {
    return rooms;
  }

  public synchronized State state() {
    return state;
  }

  public synchronized Connection connection() {
    return connection;
  }

  /** Sends a frame now, keeps it for the resume, or refuses it (ended, inbox full, or cut off). */
  public synchronized Delivery deliver(String frame) {
    switch (state) {
      case CONNECTED:
        if (held) {
          return inbox.offer(frame) ? Delivery.QUEUED : Delivery.REFUSED;
        }
        if (connection.send(frame)) {
          return Delivery.SENT;
        }
        // the connection is closing (drained, replaced, cut off): keep the frame for the resume
        return inbox.offer(frame) ? Delivery.QUEUED : Delivery.REFUSED;
      case DETACHED:
        return inbox.offer(frame) ? Delivery.QUEUED : Delivery.REFUSED;
      default:
        return Delivery.REFUSED;
    }
  }

  /**
   * {@link #deliver} for a frame given as UTF-8 bytes (a relay): written as they are when the
   * connection takes it, kept as text when it is queued for a resume.
   */
  public synchronized Delivery deliverUtf8(byte[] frame) {
    if (state == State.CONNECTED && !held && connection.sendUtf8(frame)) {
      return Delivery.SENT;
    }
    return deliver(new String(frame, StandardCharsets.UTF_8));
  }

  /**
   * The connection {@code from} is gone: keep the session for a resume. False if the session
   * had already moved to another connection or ended, in which case nothing changes.
   */
  public synchronized boolean detach(Connection from, long graceTimerId) {
    if (state != State.CONNECTED || connection != from) {
      return false;
    }
    state = State.DETACHED;
    connection = null;
    graceTimer = graceTimerId;
    return true;
  }

  /**
   * Moves the session onto a new connection: sends {@code greeting} on it, then the frames kept
   * meanwhile, in order, all under the monitor so that later deliveries queue behind them.
   * Reports the connection it replaced (null if it was detached) and the grace timer to cancel;
   * does nothing if the session ended.
   */
  public synchronized Attach attach(Connection to, String greeting) {
    if (state == State.ENDED) {
      return new Attach(false, null, -1, 0);
    }
    Connection previous = connection;
    long timer = graceTimer;
    graceTimer = -1;
    connection = to;
    state = State.CONNECTED;
    to.send(greeting);
    if (held) {
      return new Attach(true, previous, timer, 0);
    }
    List<String> kept = inbox.drain();
    kept.forEach(to::send);
    return new Attach(true, previous, timer, kept.size());
  }

  /**
   * Like {@link #attach}, but what is sent to the session queues behind the greeting until
   * {@link #release}: frames sent to it before it moved here are still to come from elsewhere.
   * The client may send meanwhile.
   */
  public synchronized Attach attachHeld(Connection to, String greeting) {
    held = true;
    return attach(to, greeting);
  }

  /**
   * Ends the hold of {@link #attachHeld}: {@code earlier} goes first, then what queued meanwhile,
   * onto the connection (or kept for the resume, if it dropped meanwhile). Returns how many.
   */
  public synchronized int release(List<String> earlier) {
    held = false;
    inbox.prepend(earlier);
    if (state != State.CONNECTED) {
      return 0;
    }
    List<String> kept = inbox.drain();
    kept.forEach(connection::send);
    return kept.size();
  }

  /** Ends the session if {@code from} is still its connection; false if it moved on or ended. */
  public synchronized boolean endIfOn(Connection from) {
    if (state != State.CONNECTED || connection != from) {
      return false;
    }
    return end();
  }

  /** Ends the session if it is still waiting for a resume; false if it resumed or ended meanwhile. */
  public synchronized boolean endIfDetached() {
    if (state != State.DETACHED) {
      return false;
    }
    return end();
  }

  /** Puts frames kept elsewhere (the previous node's inbox) ahead of anything queued since. */
  public synchronized void prepend(List<String> frames) {
    inbox.prepend(frames);
  }

  /**
   * Gives the session up to another node it resumed on: it ends here without leaving its
   * rooms. Returns the frames kept for it, or null if it had already ended.
   */
  public synchronized HandOff handOff() {
    if (state == State.ENDED) {
      return null;
    }
    Connection previous = connection;
    long timer = graceTimer;
    state = State.ENDED;
    connection = null;
    graceTimer = -1;
    return new HandOff(inbox.drain(), previous, timer);
  }

  /** What {@link #handOff} gives up. */
  public record HandOff(List<String> frames, Connection connection, long graceTimerId) {}

  /** Marks the session ended; false if it already was (ending is done once). */
  public synchronized boolean end() {
    if (state == State.ENDED) {
      return false;
    }
    state = State.ENDED;
    connection = null;
    inbox.drain();
    return true;
  }

  /**
   * Runs room operations of this session one after another, in the order they were asked for,
   * even though each completes asynchronously (a leave must not overtake its join).
   */
  public <T> Future<T> serially(Supplier<Future<T>> operation) {
    Promise<T> done = Promise.promise();
    Future<?> previous;
    synchronized (this) {
      previous = operations;
      operations = done.future();
    }
    // runs outside the monitor: the operation delivers to other sessions, and holding this
    // session's lock while waiting for theirs deadlocks two members joining a room at once
    previous.onComplete(ignored -> {
      try {
        operation.get().onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  /** The outcome of {@link #attach}. */
  public record Attach(boolean attached, Connection replaced, long graceTimerId, int deliveredFromInbox) {}
}
