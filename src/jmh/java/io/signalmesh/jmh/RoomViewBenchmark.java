package io.signalmesh.jmh;

import io.signalmesh.presence.Member;
import io.signalmesh.routing.RoomViews;
import io.signalmesh.session.ClientId;
import io.signalmesh.session.RoomId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The routing lookup of every relay: is the target in one of the sender's rooms, and on which
 * node. A node holding {@code rooms} rooms of two members, one local and one on another node.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoomViewBenchmark {

  @Param({"100", "10000"})
  public int rooms;

  private RoomViews views;
  private RoomId[] roomIds;
  private ClientId[] targets;
  private int next;

  @Setup
  public void setUp() {
    views = new RoomViews("node-a");
    roomIds = new RoomId[rooms];
    targets = new ClientId[rooms];
    for (int i = 0; i < rooms; i++) {
      roomIds[i] = new RoomId("room-" + i);
      targets[i] = ClientId.random();
      Member local = new Member(ClientId.random(), "node-a", null, null, 0);
      Member remote = new Member(targets[i], "node-b", null, null, 0);
      views.localJoin(roomIds[i], local, List.of(remote));
    }
  }

  @Benchmark
  public Member memberLookup() {
    int i = next++ % rooms;
    // a target id arrives as a new string in each frame: its hash is computed every time
    return views.member(roomIds[i], new ClientId(new String(targets[i].value())));
  }
}
