package io.signalmesh.protocol;

/** WebSocket close codes the server uses (RFC 6455 and protocol.md). */
public final class CloseCodes {
  public static final short NORMAL = 1000;
  public static final short GOING_AWAY = 1001;
  public static final short UNSUPPORTED_DATA = 1003;
  public static final short POLICY_VIOLATION = 1008;
  public static final short MESSAGE_TOO_BIG = 1009;
  public static final short SERVICE_RESTART = 1012;
  public static final short UNAUTHORIZED = 4001;

  private CloseCodes() {}
}
