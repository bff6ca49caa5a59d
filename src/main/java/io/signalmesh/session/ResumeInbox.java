package io.signalmesh.session;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Frames addressed to a session while its connection is gone, delivered in order when it
 * resumes. Bounded: once full, further frames are refused (never silently dropped: the caller
 * tells the sender) so that what does arrive is a gap-free prefix of what was sent.
 * Not thread-safe: guarded by its session. Its queue is made on first use: most sessions never
 * queue a frame, and every idle connection would otherwise hold an empty one.
 */
final class ResumeInbox {

  private final int capacity;
  private ArrayDeque<String> frames;

  ResumeInbox(int capacity) {
    this.capacity = capacity;
  }

  boolean offer(String frame) {
    if (frames().size() >= capacity) {
      return false;
    }
    frames.add(frame);
    return true;
  }

  private ArrayDeque<String> frames() {
    if (frames == null) {
      frames = new ArrayDeque<>();
    }
    return frames;
  }

  /** Puts frames ahead of the queue, beyond the bound: they were accepted elsewhere already. */
  void prepend(List<String> earlier) {
    for (int i = earlier.size() - 1; i >= 0; i--) {
      frames().addFirst(earlier.get(i));
    }
  }

  List<String> drain() {
    if (frames == null || frames.isEmpty()) {
      return List.of();
    }
    List<String> all = List.copyOf(frames);
    frames.clear();
    return all;
  }
}
