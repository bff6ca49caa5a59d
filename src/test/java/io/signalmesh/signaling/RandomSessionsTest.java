package io.signalmesh.signaling;

import io.signalmesh.protocol.FieldLimits;
import io.signalmesh.protocol.HostileFrames;
import io.signalmesh.testsupport.LogCapture;
import io.signalmesh.testsupport.PropertyCheck;
import io.signalmesh.testsupport.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Generated sequences of what clients do (join, leave, relay, broadcast, get-peers, garbage
 * frames, normal close, lost connections, resumes, guessed resume tokens) and what the operator
 * does (kick, close a room) against one real node with real WebSocket clients. After every step
 * every client got exactly what the protocol promises, no bad frame went unanswered, nothing
 * was logged at ERROR, and each room looks the same to its clients, to the presence store and
 * to the admin REST API. See {@link SessionScenario}; seeds as in {@link PropertyCheck}.
 */
@Timeout(120)
class RandomSessionsTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static TestNode node;
  private static AdminRooms admin;

  @BeforeAll
  static void startNode() {
    node = TestNode.start("--room-capacity", Integer.toString(SessionScenario.CAPACITY),
        "--max-rooms-per-client", Integer.toString(SessionScenario.MAX_ROOMS),
        // the scenarios test the state machine, not the abuse limits (the gateway tests do)
        "--rate-limit", "100000", "--rate-burst", "100000", "--join-rate", "100000", "--join-burst", "100000",
        "--auth-failure-delay", "0ms", "--auth-failure-max-delay", "0ms",
        // longer than any scenario: a dropped client is resumed or closed by the scenario itself
        "--resume-grace", "300");
    admin = new AdminRooms(node.managementPort());
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void anySequenceOfClientActionsKeepsRoomViewsPresenceAndAdminInAgreement() {
    HostileFrames frames = new HostileFrames(new FieldLimits(64, 1024));
    try (LogCapture logs = LogCapture.attach()) {
      PropertyCheck.<List<SessionStep>>forAll("client actions", random -> SessionStep.scenario(random, frames))
          .tries(50)
          .shrinkWith(SessionStep::shrink)
          .shrinkBudget(80, Duration.ofSeconds(40))
          .describedBy(SessionStep::describe)
          .check(steps -> new SessionScenario(node, admin, logs, "s" + RUNS.incrementAndGet()).run(steps));
    }
  }
}
