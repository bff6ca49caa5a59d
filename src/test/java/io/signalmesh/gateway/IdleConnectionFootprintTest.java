package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an idle WebSocket keeps on the heap (the RSS target per idle connection in
 * docs/benchmarks.md rests on it), counted with a class histogram of this JVM before and after
 * opening {@value #IDLE} connections (once for both tests: a histogram is a full collection).
 * Both guard settings that a Vert.x upgrade could undo without any other test noticing: see
 * docs/operations.md, "Memory per connection".
 */
@Timeout(90)
class IdleConnectionFootprintTest {

  private static final String WRITE_QUEUE = "io.netty.util.internal.shaded.org.jctools.queues.MpscUnboundedArrayQueue";
  private static final String HTTP_CONNECTION = "io.vertx.core.http.impl.Http1xServerConnection";
  private static final String CONNECTION = "io.signalmesh.gateway.WebSocketConnection";
  private static final int IDLE = 100;
  /** Chromium's offer; the server declines it, and the connection must cost the same as any other. */
  private static final Map<String, String> CHROMIUM_OFFER =
      Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
  /** Live instances of each counted class that the idle connections added. */
  private static Map<String, Long> added;

  @BeforeAll
  static void openIdleConnections() {
    added = liveInstancesAddedByIdleConnections(List.of(WRITE_QUEUE, HTTP_CONNECTION));
  }

  /**
   * Vert.x keeps a write queue of 1,025 slots (4.7 KB) for each connection in its default thread
   * mode; the signaling port runs in strict thread mode, so the HTTP/1.1 connection of an upgrade
   * has none and only the WebSocket's own remains.
   */
  @Test
  void anIdleWebSocketHoldsOneWriteQueueNotTwo() {
    assertThat(added.get(WRITE_QUEUE)).isEqualTo(IDLE);
  }

  /** {@link UpgradeLeftovers}: the HTTP/1.1 connection of the upgrade is collected. */
  @Test
  void anIdleWebSocketKeepsNoHttpConnectionAlive() {
    assertThat(added.get(HTTP_CONNECTION)).isZero();
  }

  private static Map<String, Long> liveInstancesAddedByIdleConnections(List<String> classNames) {
    HeapProbe heap = new HeapProbe(ProcessHandle.current().pid());
    List<RawUpgrade> held = new ArrayList<>();
    try (TestNode node = TestNode.start("--max-connections-per-ip", String.valueOf(IDLE + 10))) {
      // whatever Vert.x and Netty make once, on the first connections, is made before the baseline
      // (these stay open: one closing meanwhile would blur the count)
      openIdle(node, 10, held);
      List<String> counted = new ArrayList<>(classNames);
      counted.add(CONNECTION);
      Map<String, Long> before = heap.instancesOf(counted);
      openIdle(node, IDLE, held);
      Map<String, Long> after = heap.instancesOf(counted);
      assertThat(after.get(CONNECTION) - before.get(CONNECTION)).as("idle connections open on the node").isEqualTo(IDLE);
      Map<String, Long> delta = new TreeMap<>();
      classNames.forEach(name -> delta.put(name, after.get(name) - before.get(name)));
      return delta;
    } finally {
      held.forEach(RawUpgrade::close);
    }
  }

  /** Upgrades as Chromium would and waits for each session's first frame: its connection is set up. */
  private static void openIdle(TestNode node, int count, List<RawUpgrade> held) {
    for (int i = 0; i < count; i++) {
      RawUpgrade upgrade = RawUpgrade.upgrade("127.0.0.9", node.port(), "/ws", CHROMIUM_OFFER);
      held.add(upgrade);
      assertThat(upgrade.status()).as("upgrade %d", i + 1).isEqualTo(101);
      upgrade.millisToFirstByte();
    }
  }
}
