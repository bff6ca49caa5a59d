package io.signalmesh.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.session.RoomId;
import io.signalmesh.testsupport.RedisClusterServers;
import io.signalmesh.testsupport.RedisProcess;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Names whose keys land on every master of a Redis Cluster, so that a test covers each of them:
 * asserted with CLUSTER KEYSLOT and CLUSTER NODES, not assumed.
 */
final class OnEveryMaster {

  private OnEveryMaster() {}

  /** {@code prefix + 0 .. count - 1}, whose keys ({@code keyOf}) land on every master. */
  static List<String> names(RedisClusterServers cluster, String prefix, int count, Function<String, String> keyOf) {
    List<String> names = new ArrayList<>();
    Set<RedisProcess> owners = new HashSet<>();
    for (int i = 0; i < count; i++) {
      String name = prefix + i;
      names.add(name);
      owners.add(cluster.ownerOf(keyOf.apply(name)));
    }
    assertThat(owners).as("masters holding " + prefix + "*").containsExactlyInAnyOrderElementsOf(cluster.masters());
    return names;
  }

  /** Rooms {@code spread-0 .. count - 1}, whose member hashes land on every master. */
  static List<RoomId> rooms(RedisClusterServers cluster, int count) {
    return names(cluster, "spread-", count, room -> RedisPresenceKeys.DEFAULT.roomMembers(new RoomId(room))).stream()
        .map(RoomId::new).toList();
  }
}
