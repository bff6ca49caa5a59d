package io.signalmesh.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RedisExtension;
import io.signalmesh.testsupport.RedisServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbox contract on a real redis-server, two nodes being two consumers of the group; and what Redis adds. */
class RedisOutboxTest extends RedisOutboxContract {

  @RegisterExtension
  static final RedisExtension<RedisServer> REDIS = RedisExtension.standalone();

  @Override
  protected RedisExtension<RedisServer> redis() {
    return REDIS;
  }

  @Test
  void anAcknowledgedEntryLeavesTheStream() {
    Outbox outbox = emptyOutbox();
    append("one");
    OutboxEntry taken = await(outbox.take(RECEIVER, 10)).get(0);

    await(outbox.acknowledge(RECEIVER, List.of(taken.id())));

    assertThat(deployment().command("XLEN", RECEIVER.streamKey())).isEqualTo("0");
  }

  @Test
  void eventsWrittenBeforeTheGroupExistedAreDelivered() {
    Outbox outbox = emptyOutbox();
    deployment().flushAll();
    append("early");

    await(outbox.open(RECEIVER));

    assertThat(await(outbox.take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("early");
  }

  @Test
  void takingWorksAgainAfterRedisLostTheGroup() {
    Outbox outbox = emptyOutbox();
    deployment().flushAll();

    assertThat(await(outbox.take(RECEIVER, 10))).isEmpty();
    append("after");
    assertThat(await(outbox.take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("after");
  }
}
