package io.signalmesh.signaling;

import io.signalmesh.protocol.HostileFrames;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * One thing a client (or the operator) does in a generated session scenario. Clients are
 * numbered slots (c0, c1, ...), rooms are numbered too (r0, r1, ...); a step that does not fit
 * the slot's state when it runs (a leave from a closed client) is skipped, so that shrinking can
 * drop any step.
 */
sealed interface SessionStep {

  int CLIENTS = 4;
  int ROOMS = 3;

  record Join(int client, int room) implements SessionStep {
    public String toString() {
      return "c" + client + " join r" + room;
    }
  }

  record Leave(int client, int room) implements SessionStep {
    public String toString() {
      return "c" + client + " leave r" + room;
    }
  }

  record Relay(int client, int target, long seed) implements SessionStep {
    public String toString() {
      return "c" + client + " relay to c" + target;
    }
  }

  record Broadcast(int client, int room) implements SessionStep {
    public String toString() {
      return "c" + client + " broadcast to r" + room;
    }
  }

  record GetPeers(int client) implements SessionStep {
    public String toString() {
      return "c" + client + " get-peers";
    }
  }

  record Garbage(int client, HostileFrames.Invalid frame) implements SessionStep {
    public String toString() {
      return "c" + client + " sends " + frame;
    }
  }

  /** A normal close (1000): the session ends at once. */
  record Close(int client) implements SessionStep {
    public String toString() {
      return "c" + client + " closes normally";
    }
  }

  /** The connection is lost (TCP abort) or closed as going away (1001): the session waits for a resume. */
  record Drop(int client, boolean goingAway) implements SessionStep {
    public String toString() {
      return "c" + client + (goingAway ? " closes with 1001" : " loses its connection");
    }
  }

  record Resume(int client) implements SessionStep {
    public String toString() {
      return "c" + client + " resumes";
    }
  }

  /** A closed client connects again: a new session. */
  record Reconnect(int client) implements SessionStep {
    public String toString() {
      return "c" + client + " connects again";
    }
  }

  /** Someone connects with a made-up resume token: a fresh session, never anybody's. */
  record GuessResume(long seed) implements SessionStep {
    public String toString() {
      return "a stranger resumes with a guessed token";
    }
  }

  /** The operator kicks the client out of the room (admin REST). */
  record Kick(int client, int room) implements SessionStep {
    public String toString() {
      return "admin kicks c" + client + " from r" + room;
    }
  }

  /** The operator closes the room (admin REST). */
  record CloseRoom(int room) implements SessionStep {
    public String toString() {
      return "admin closes r" + room;
    }
  }

  static List<SessionStep> scenario(Random r, HostileFrames frames) {
    int length = 5 + r.nextInt(36);
    List<SessionStep> steps = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      steps.add(next(r, frames));
    }
    return steps;
  }

  private static SessionStep next(Random r, HostileFrames frames) {
    int client = r.nextInt(CLIENTS);
    int room = r.nextInt(ROOMS);
    int kind = r.nextInt(100);
    if (kind < 26) {
      return new Join(client, room);
    } else if (kind < 36) {
      return new Leave(client, room);
    } else if (kind < 50) {
      return new Relay(client, r.nextInt(CLIENTS), r.nextLong());
    } else if (kind < 56) {
      return new Broadcast(client, room);
    } else if (kind < 60) {
      return new GetPeers(client);
    } else if (kind < 70) {
      return new Garbage(client, frames.invalid(r));
    } else if (kind < 75) {
      return new Close(client);
    } else if (kind < 81) {
      return new Drop(client, r.nextInt(3) == 0);
    } else if (kind < 88) {
      return new Resume(client);
    } else if (kind < 92) {
      return new Reconnect(client);
    } else if (kind < 94) {
      return new GuessResume(r.nextLong());
    } else if (kind < 97) {
      return new Kick(client, room);
    } else {
      return new CloseRoom(room);
    }
  }

  /** Shorter scenarios: chunks removed, halves first, then single steps. */
  static Stream<List<SessionStep>> shrink(List<SessionStep> steps) {
    List<List<SessionStep>> candidates = new ArrayList<>();
    for (int chunk = steps.size() / 2; chunk >= 1; chunk /= 2) {
      for (int at = 0; at + chunk <= steps.size(); at += chunk) {
        List<SessionStep> shorter = new ArrayList<>(steps.subList(0, at));
        shorter.addAll(steps.subList(at + chunk, steps.size()));
        candidates.add(shorter);
      }
    }
    return candidates.stream();
  }

  static String describe(List<SessionStep> steps) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < steps.size(); i++) {
      out.append(String.format("  %2d. %s%n", i + 1, steps.get(i)));
    }
    return out.toString();
  }
}
