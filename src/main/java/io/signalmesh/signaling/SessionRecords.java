package io.signalmesh.signaling;

import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.NodeDirectory.SessionRecord;
import io.signalmesh.session.Session;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each session's resumable record (who, which node, which rooms) current in the node
 * directory, so that the client can resume on any node. Best effort: a failed write is logged
 * and repaired by the next change or by re-assertion.
 */
public final class SessionRecords {

  private static final Logger LOG = LoggerFactory.getLogger(SessionRecords.class);

  private final NodeDirectory directory;
  private final String nodeId;

  public SessionRecords(NodeDirectory directory, String nodeId) {
    this.directory = directory;
    this.nodeId = nodeId;
  }

  public void save(Session session) {
    directory.saveSession(session.sessionToken(), record(session))
        .onFailure(e -> LOG.atWarn().addKeyValue("clientId", session.id()).addKeyValue("error", e.getMessage())
            .log("session record not saved"));
  }

  public void delete(Session session) {
    directory.deleteSession(session.sessionToken(), record(session))
        .onFailure(e -> LOG.atWarn().addKeyValue("clientId", session.id()).addKeyValue("error", e.getMessage())
            .log("session record not deleted"));
  }

  private SessionRecord record(Session session) {
    return new SessionRecord(session.id(), nodeId, List.copyOf(session.rooms()), session.grant());
  }
}
