package io.signalmesh.routing;

import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.session.ClientId;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames for clients whose node could not be reached (it died): kept in the node directory,
 * bounded and for the resume grace, and delivered by whichever node the client resumes on.
 */
public final class ParkedFrames {

  private static final Logger LOG = LoggerFactory.getLogger(ParkedFrames.class);

  private final NodeDirectory directory;
  private final int capacity;
  private final Duration ttl;

  public ParkedFrames(NodeDirectory directory, int capacity, Duration ttl) {
    this.directory = directory;
    this.capacity = capacity;
    this.ttl = ttl;
  }

  /** Parks the frame for each target; true for a target if it was kept. */
  public Future<Boolean> park(ClientId target, String frame) {
    return directory.offerInbox(target, frame, capacity, ttl)
        .onFailure(e -> LOG.atWarn().addKeyValue("clientId", target).addKeyValue("error", e.getMessage())
            .log("frame for an unreachable node could not be parked"))
        .otherwise(false);
  }

  public Future<List<String>> take(ClientId client) {
    return directory.drainInbox(client);
  }
}
