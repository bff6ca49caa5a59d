package io.signalmesh.gateway;

import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Holds a connection's messages while the node is not sure it may serve (just back from a pause
 * longer than its heartbeat vouches for): they wait, in order, with the socket paused, and are
 * handled once the next heartbeat says the node still holds its place. If it says the node was
 * declared dead instead, the connection is closed with {@code reconnect} and they are never
 * handled: the client resumes elsewhere, and nothing was answered from stale rooms.
 */
final class ServingGate {

  private final BooleanSupplier serving;
  private final Consumer<Runnable> whenServing;

  ServingGate(BooleanSupplier serving, Consumer<Runnable> whenServing) {
    this.serving = serving;
    this.whenServing = whenServing;
  }

  /** Wraps a connection's message handler; runs on the socket's event loop ({@code context}). */
  <T> Consumer<T> guard(ServerWebSocket socket, Context context, Consumer<T> handle) {
    List<T> held = new ArrayList<>();
    return text -> {
      if (held.isEmpty() && serving.getAsBoolean()) {
        handle.accept(text);
        return;
      }
      held.add(text);
      if (held.size() == 1) {
        socket.pause();
        whenServing.accept(() -> context.runOnContext(v -> {
          List<T> release = List.copyOf(held);
          held.clear();
          if (socket.isClosed()) {
            // closed by the fence meanwhile: its session is gone, nothing of it is handled
            return;
          }
          release.forEach(handle);
          socket.resume();
        }));
      }
    };
  }
}
