package io.signalmesh.session;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Frames addressed to a session while its connection is gone, delivered in order when it
 * resumes. Bounded: once full, further frames are refused (never silently dropped: the caller
 * tells the sender) so that what does arrive is a gap-free prefix of what was sent.
 * Not thread-safe: guarded by its session.
 */
final class ResumeInbox {

  private final int capacity;
  private final ArrayDeque<String> frames = new ArrayDeque<>();

  ResumeInbox(int capacity) {
    this.capacity = capacity;
  }

  boolean offer(String frame) {
    if (frames.size() >= capacity) {
      return false;
    }
    frames.add(frame);
    return true;
  }

  /** Puts frames ahead of the queue, beyond the bound: they were accepted elsewhere already. */
  void prepend(List<String> earlier) {
    for (int i = earlier.size() - 1; i >= 0; i--) {
      frames.addFirst(earlier.get(i));
    }
  }

  List<String> drain() {
    List<String> all = List.copyOf(frames);
    frames.clear();
    return all;
  }
}
