package io.signalmesh.presence;

/**
 * The mesh declared this node dead while it was not heartbeating (a pause, a stall): the other
 * nodes parked its clients' frames and will reap what it held. It must stop serving, drop what
 * it held, and rejoin as a new run once its previous one is reaped.
 */
public final class NodeFencedException extends RuntimeException {

  public NodeFencedException(String nodeId) {
    super("node " + nodeId + " was declared dead by the mesh");
  }
}
