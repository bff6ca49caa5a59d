package io.signalmesh.bench;

/**
 * The relayed frame: an {@code ice-candidate} as a browser sends it (a host/srflx candidate
 * line, sdpMid, sdpMLineIndex, usernameFragment), padded inside the candidate line so that the
 * frame is about {@code frameBytes} long, with the run's stamp beside it.
 */
public final class RelayFrames {

  public static final String TYPE = "ice-candidate";
  private static final String CANDIDATE =
      "candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 10.0.0.2 rport 54321 generation 0 ufrag EsN6 network-id 1 network-cost 10";

  private final String padding;

  public RelayFrames(int frameBytes) {
    // a typical stamp: index, sequence number, a 13-digit nanoTime, the flag
    String sample = build("x".repeat(16), new Stamp(100, 10_000, 1_234_567_890_123L, true), "");
    padding = " extension " + "x".repeat(Math.max(0, frameBytes - sample.length() - 11));
  }

  public String frame(String targetId, Stamp stamp) {
    return build(targetId, stamp, padding);
  }

  private static String build(String targetId, Stamp stamp, String padding) {
    return "{\"type\":\"" + TYPE + "\",\"targetId\":\"" + targetId
        + "\",\"candidate\":{\"candidate\":\"" + CANDIDATE + padding
        + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"EsN6\"},\"" + Stamp.FIELD + "\":\""
        + stamp.encode() + "\"}";
  }
}
