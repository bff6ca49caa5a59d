package io.signalmesh.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RedisClusterServers;
import io.signalmesh.testsupport.RedisExtension;
import io.signalmesh.testsupport.RedisProcess;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The outbox contract on a real three-master Redis Cluster ({@code redis-cluster://}), two nodes
 * being two consumers of the group; and receivers whose streams live on every master, each read,
 * acknowledged and re-created on the master that holds it.
 */
class RedisClusterOutboxTest extends RedisOutboxContract {

  @RegisterExtension
  static final RedisExtension<RedisClusterServers> REDIS = RedisExtension.cluster(3);

  @Override
  protected RedisExtension<RedisClusterServers> redis() {
    return REDIS;
  }

  private static RedisClusterServers cluster() {
    return REDIS.deployment();
  }

  /** Receivers whose streams land on every master: asserted, not assumed. */
  private static List<Receiver> receiversOnEveryMaster() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      urls.add("http://127.0.0.1:9/hooks/" + i);
    }
    List<Receiver> receivers = Receiver.of(urls);
    Set<RedisProcess> owners = new HashSet<>();
    receivers.forEach(receiver -> owners.add(cluster().ownerOf(receiver.streamKey())));
    assertThat(owners).as("masters holding the streams").containsExactlyInAnyOrderElementsOf(cluster().masters());
    return receivers;
  }

  @Test
  void receiversOnEveryMasterAreTakenAcknowledgedAndReleased() {
    Outbox outbox = emptyOutbox();
    List<Receiver> receivers = receiversOnEveryMaster();
    for (Receiver receiver : receivers) {
      await(outbox.open(receiver));
      append(receiver, "one for " + receiver.url());
      append(receiver, "two for " + receiver.url());
    }

    for (Receiver receiver : receivers) {
      List<OutboxEntry> taken = await(outbox.take(receiver, 10));
      assertThat(taken).extracting(OutboxEntry::body).as(receiver.streamKey())
          .containsExactly("one for " + receiver.url(), "two for " + receiver.url());
      assertThat(await(otherNode().take(receiver, 10))).isEmpty();
      await(outbox.acknowledge(receiver, List.of(taken.get(0).id())));
      await(outbox.release(receiver, List.of(taken.get(1).id())));
      assertThat(await(outbox.backlog(receiver))).isEqualTo(1);
      assertThat(cluster().command("XLEN", receiver.streamKey())).isEqualTo("1");
    }
  }

  @Test
  void takingWorksAgainOnEveryMasterAfterTheClusterLostTheGroups() {
    Outbox outbox = emptyOutbox();
    List<Receiver> receivers = receiversOnEveryMaster();
    receivers.forEach(receiver -> await(outbox.open(receiver)));
    cluster().flushAll();

    for (Receiver receiver : receivers) {
      assertThat(await(outbox.take(receiver, 10))).isEmpty();
      append(receiver, "after for " + receiver.url());
      assertThat(await(outbox.take(receiver, 10))).extracting(OutboxEntry::body)
          .containsExactly("after for " + receiver.url());
    }
  }

  /** Resharding moves a stream with its group: who holds which entry survives the move. */
  @Test
  void entriesAndWhoHoldsThemSurviveTheStreamsSlotMovingToAnotherMaster() {
    Outbox outbox = emptyOutbox();
    append("one");
    append("two");
    OutboxEntry one = await(outbox.take(RECEIVER, 1)).get(0);
    int slot = cluster().keySlot(RECEIVER.streamKey());
    RedisProcess source = cluster().ownerOfSlot(slot);
    RedisProcess target = cluster().masters().stream().filter(m -> m != source).findFirst().orElseThrow();

    cluster().moveSlot(slot, target, () -> {
      // the stream is on the target already, the slot still names the source: ASK
      assertThat(await(otherNode().take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("two");
      await(outbox.acknowledge(RECEIVER, List.of(one.id())));
    });

    // the old master now answers MOVED
    assertThat(cluster().ownerOf(RECEIVER.streamKey())).isSameAs(target);
    assertThat(await(outbox.backlog(RECEIVER))).isEqualTo(1);
    assertThat(await(outbox.take(RECEIVER, 10))).as("two is the other node's").isEmpty();
    append("three");
    assertThat(await(outbox.take(RECEIVER, 10))).extracting(OutboxEntry::body).containsExactly("three");
  }
}
