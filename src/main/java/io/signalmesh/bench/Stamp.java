package io.signalmesh.bench;

/**
 * What every relayed message of a run carries in its payload as {@code "bench":"<from> <seq>
 * <sentNanos> <measured>"}: the sending client's index in the run, its sequence number towards
 * this target, its send time ({@link System#nanoTime()}, one clock as sender and receiver are in
 * this process) and whether it was sent inside the measured window (1) or not (0). The receiver
 * checks loss, duplicates, order, latency and the server-set {@code senderId} from it.
 */
public record Stamp(int from, long seq, long sentNanos, boolean measured) {

  public static final String FIELD = "bench";

  public String encode() {
    return from + " " + seq + " " + sentNanos + " " + (measured ? 1 : 0);
  }

  /** The stamp, or null when the text is not one. */
  public static Stamp decode(String text) {
    if (text == null) {
      return null;
    }
    String[] parts = text.split(" ");
    if (parts.length != 4) {
      return null;
    }
    try {
      return new Stamp(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]), "1".equals(parts[3]));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
