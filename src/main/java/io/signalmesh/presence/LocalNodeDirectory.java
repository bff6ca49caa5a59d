package io.signalmesh.presence;

import io.signalmesh.session.ClientId;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * The embedded default: one node holds everything in memory, resumes are found in its own
 * session registry, and there is no other node to die or to reap.
 */
final class LocalNodeDirectory implements NodeDirectory {

  @Override
  public Future<Boolean> heartbeat(String nodeId, Duration ttl) {
    return Future.succeededFuture(true);
  }

  @Override
  public Future<Void> markAsserted(String nodeId) {
    return Future.succeededFuture();
  }

  @Override
  public Future<List<String>> knownNodes() {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<List<String>> deadNodes() {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<Boolean> claimReaping(String deadNode, String reaper, Duration ttl) {
    return Future.succeededFuture(false);
  }

  @Override
  public Future<Void> forgetNode(String deadNode) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> saveSession(String sessionToken, SessionRecord record) {
    return Future.succeededFuture();
  }

  @Override
  public Future<SessionRecord> findSession(String sessionToken) {
    return Future.succeededFuture(null);
  }

  @Override
  public Future<Void> deleteSession(String sessionToken, SessionRecord record) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> offerInbox(ClientId client, String frame, int capacity, Duration ttl) {
    return Future.succeededFuture(false);
  }

  @Override
  public Future<List<String>> drainInbox(ClientId client) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public boolean healthy() {
    return true;
  }
}
