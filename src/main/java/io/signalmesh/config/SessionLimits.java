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

  public static final int DEFAULT_MAX_MESSAGE_BYTES = 65536;
  public static final int DEFAULT_RATE_PER_SECOND = 50;
  public static final int DEFAULT_RATE_BURST = 200;
  public static final int DEFAULT_MAX_ROOMS_PER_CLIENT = 16;
  public static final int DEFAULT_ROOM_CAPACITY = 50;
  public static final int DEFAULT_RESUME_INBOX_MESSAGES = 256;
  public static final int DEFAULT_MAX_PENDING_BYTES = 1 << 20;
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_RESUME_GRACE = Duration.ofSeconds(15);

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

  public static SessionLimits defaults() {
    return new SessionLimits(DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RATE_PER_SECOND, DEFAULT_RATE_BURST,
        DEFAULT_MAX_ROOMS_PER_CLIENT, DEFAULT_ROOM_CAPACITY, FieldLimits.DEFAULT_MAX_NAME_LENGTH,
        FieldLimits.DEFAULT_MAX_METADATA_BYTES, DEFAULT_RESUME_INBOX_MESSAGES,
        DEFAULT_MAX_PENDING_BYTES, DEFAULT_PING_INTERVAL, DEFAULT_IDLE_TIMEOUT, DEFAULT_RESUME_GRACE);
  }

  public FieldLimits fieldLimits() {
    return new FieldLimits(maxNameLength, maxMetadataBytes);
  }
}
