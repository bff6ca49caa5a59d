package io.signalmesh.app;

import io.signalmesh.protocol.CloseCodes;
import io.signalmesh.protocol.ServerMessages;
import io.signalmesh.session.Connection;
import io.signalmesh.session.Session;
import io.signalmesh.session.SessionRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a node away from clients: readiness false, new WebSockets refused, every connected
 * client told to reconnect (it resumes on another node). Used by SIGTERM and by the admin API.
 */
final class Drainer {

  private static final Logger LOG = LoggerFactory.getLogger(Drainer.class);

  private final String nodeId;
  private final SessionRegistry sessions;
  private final AtomicBoolean draining = new AtomicBoolean();

  Drainer(String nodeId, SessionRegistry sessions) {
    this.nodeId = nodeId;
    this.sessions = sessions;
  }

  boolean draining() {
    return draining.get();
  }

  /** Starts draining; false if the node was draining already. */
  boolean drain() {
    if (!draining.compareAndSet(false, true)) {
      return false;
    }
    int connected = 0;
    for (Session session : sessions.all()) {
      Connection connection = session.connection();
      if (connection != null) {
        connected++;
        connection.send(ServerMessages.reconnect("draining"));
        connection.close(CloseCodes.SERVICE_RESTART, "draining");
      }
    }
    LOG.atInfo().addKeyValue("node", nodeId).addKeyValue("connections", connected).log("draining");
    return true;
  }
}
