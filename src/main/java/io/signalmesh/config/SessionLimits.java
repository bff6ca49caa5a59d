package io.signalmesh.config;

import io.signalmesh.protocol.FieldLimits;
import java.time.Duration;

/**
 * What one connection may do and hold. Every bound here exists so that one hostile or broken
 * client cannot grow the node's memory or starve the others.
 *
 * @param maxMessageBytes largest text message (whole, after reassembling fragments)
 * @param ratePerSecond messages a connection may send per second, sustained (token bucket refill)
 * @param rateBurst messages a connection may send at once (token bucket size)
 * @param maxRoomsPerClient rooms one connection may be in at once
 * @param roomCapacity participants a room holds unless a token says otherwise
 * @param maxNameLength longest display name
 * @param maxMetadataBytes largest participant metadata object
 * @param resumeInboxMessages messages kept for a dropped session until it resumes
 * @param maxPendingBytes bytes queued towards a client that does not read before it is cut off
 * @param pingInterval how often the server sends WebSocket pings
 * @param idleTimeout a connection silent for longer than this is closed
 * @param resumeGrace how long a dropped session may resume
 *
 * <p>The defaults are the {@code serve} flags' (ServeCommand), the one place they are set.
 */
public record SessionLimits(
    int maxMessageBytes,
    int ratePerSecond,
    int rateBurst,
    int maxRoomsPerClient,
    int roomCapacity,
    int maxNameLength,
    int maxMetadataBytes,
    int resumeInboxMessages,
    int maxPendingBytes,
    Duration pingInterval,
    Duration idleTimeout,
    Duration resumeGrace) {

  public SessionLimits {
    Settings.atLeast("--max-message-bytes", maxMessageBytes, 1024);
    Settings.atMost("--max-message-bytes", maxMessageBytes, 16 * 1024 * 1024);
    Settings.atLeast("--rate-limit", ratePerSecond, 1);
    Settings.atLeast("--rate-burst", rateBurst, 1);
    Settings.atLeast("--max-rooms-per-client", maxRoomsPerClient, 1);
    Settings.atLeast("--room-capacity", roomCapacity, 2);
    Settings.atLeast("--max-name-length", maxNameLength, 1);
    Settings.atLeast("--max-metadata-bytes", maxMetadataBytes, 2);
    Settings.atLeast("--resume-inbox", resumeInboxMessages, 0);
    Settings.atLeast("--max-pending-bytes", maxPendingBytes, maxMessageBytes);
    Settings.positive("--ping-interval", pingInterval);
    Settings.positive("--idle-timeout", idleTimeout);
    if (idleTimeout.compareTo(pingInterval) <= 0) {
      throw new ConfigException("--idle-timeout", "must be longer than --ping-interval (" + pingInterval.toMillis() + "ms)");
    }
    Settings.notNegative("--resume-grace", resumeGrace);
  }

  public FieldLimits fieldLimits() {
    return new FieldLimits(maxNameLength, maxMetadataBytes);
  }
}
