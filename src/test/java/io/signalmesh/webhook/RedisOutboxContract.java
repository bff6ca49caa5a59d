package io.signalmesh.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.presence.RedisCalls;
import io.signalmesh.testsupport.RedisDeployment;
import io.signalmesh.testsupport.RedisExtension;

/**
 * The outbox contract on a real Redis deployment, two nodes being two consumers of the group. A
 * subclass names the deployment ({@link RedisExtension}) and adds what only that deployment has.
 */
abstract class RedisOutboxContract extends OutboxContract {

  private RedisCalls calls;

  /** The deployment under test, started for the subclass. */
  protected abstract RedisExtension<?> redis();

  @Override
  protected Outbox emptyOutbox() {
    calls = redis().emptyCalls();
    RedisOutbox outbox = new RedisOutbox(calls, "node-a", POLICY);
    await(outbox.open(RECEIVER));
    return outbox;
  }

  @Override
  protected Outbox otherNode() {
    return new RedisOutbox(calls, "node-b", POLICY);
  }

  @Override
  protected void append(String event) {
    append(RECEIVER, event);
  }

  /** Records an event for {@code receiver}, as the presence store would. */
  void append(Receiver receiver, String event) {
    assertThat(deployment().command("XADD", receiver.streamKey(), "*", "event", event)).isNotNull().doesNotStartWith("-");
  }

  RedisDeployment deployment() {
    return redis().deployment();
  }
}
