package io.signalmesh.routing;

/**
 * The names of the headers that node-to-node messages carry, and the values of {@link #EVENT}:
 * the wire format between {@link NodeLink} (sending) and {@link NodeInbox} (receiving and
 * acknowledging), in one place. Nodes of neighbouring versions must read each other's messages
 * during a rollout (docs/operations.md), so a name here never changes meaning.
 */
final class LinkHeaders {

  // a frame's stream, set by NodeLink
  /** The frame's sequence number in its sender's stream to this node. */
  static final String SEQ = "seq";
  /** The sending node's id. */
  static final String FROM = "from";
  /** The sender's run: sequence numbers start again at 1 when a node restarts under the same id. */
  static final String RUN = "run";
  /** The oldest sequence number the sender still holds; below it, everything is acked or given up. */
  static final String BASE = "base";
  /** Wall-clock millis of the frame's first sending, for the receiver's age limit. */
  static final String AT = "at";
  /** The receiver's run the frame is meant for (as its acks name it), when known. */
  static final String TO_RUN = "to-run";
  /** On a batch ({@link LinkBatch}): how many frames it holds. */
  static final String BATCH = "batch";

  // what a frame is for
  /** The client ids a frame goes to, comma-separated. */
  static final String TO = "to";
  /** A room event for the frame's targets: {@link #JOINED} or {@link #LEFT}, with {@link #ROOM} and {@link #MEMBER}. */
  static final String EVENT = "event";
  static final String JOINED = "joined";
  static final String LEFT = "left";
  static final String ROOM = "room";
  static final String MEMBER = "member";

  // requests to a node, answered by a reply
  /** An admin command for the node ({@code io.signalmesh.admin.NodeCommands}). */
  static final String COMMAND = "command";
  /** A client resuming on another node: its id; the node hands over what it held for it. */
  static final String HANDOVER = "handover";
  /** With a handover: the node the client resumed on. */
  static final String NEW_NODE = "new-node";

  // acknowledgements, set by NodeInbox
  /** The receiver has everything up to this number. */
  static final String ACK = "ack";
  /** A gap report: the receiver has everything below this number and wants the rest again. */
  static final String NACK = "nack";
  /** With an ack or a gap report: numbers refused as too old (not delivered), comma-separated. */
  static final String REFUSED = "refused";
  /** With an ack or a gap report: numbers delivered in turn that their target did not take (resume queue full, gone). */
  static final String DECLINED = "declined";
  /** With an ack or a gap report: the receiver's run. */
  static final String BY_RUN = "by-run";
  /** With an ack or a gap report: the receiver reads batches ({@link LinkBatch}). */
  static final String TAKES_BATCHES = "batches";

  private LinkHeaders() {
  }
}
