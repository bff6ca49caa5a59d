package io.signalmesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.MeshCluster;
import io.signalmesh.testsupport.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The 1:1 call with the two pages on different nodes of a two-node cluster (two node processes from
 * the packaged jar, clustered, with Redis): the offer, answer and candidates cross nodes.
 */
class ClusterCallIT {

  @AutoClose
  private static MeshCluster mesh;
  private static List<Browser> browsers;

  @RegisterExtension
  static final ConsoleOnFailure CONSOLE_ON_FAILURE = new ConsoleOnFailure(() -> browsers);

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void start() {
    mesh = MeshCluster.start("e2e", 2);
    browsers = Browsers.start("cluster-ada", "cluster-bob");
  }

  @AfterAll
  static void closeBrowsers() {
    Browsers.close(browsers);
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aCallBetweenPagesOnDifferentNodesHasMediaFlowingBothWays() throws IOException {
    String room = "cluster-" + UUID.randomUUID().toString().substring(0, 8);
    CallPage ada = new CallPage(browsers.get(0)).join(mesh.node(0).port(), room, "Ada Lovelace");
    CallPage bob = new CallPage(browsers.get(1)).join(mesh.node(1).port(), room, "Bob Kahn");
    String adaId = ada.clientId();
    String bobId = bob.clientId();
    assertThat(sessionsStartedOn(mesh.node(0))).contains(adaId).doesNotContain(bobId);
    assertThat(sessionsStartedOn(mesh.node(1))).contains(bobId).doesNotContain(adaId);

    ada.awaitConnectedToAll(List.of(bobId));
    bob.awaitConnectedToAll(List.of(adaId));
    for (CallPage[] pair : new CallPage[][] {{ada, bob}, {bob, ada}}) {
      String sender = pair[1].clientId();
      pair[0].awaitFlowing(sender, "framesDecoded");
      pair[0].awaitFlowing(sender, "audioBytesReceived");
    }
    for (Browser b : browsers) {
      assertThat(ConsoleErrors.unexpected(b)).as(b.name() + " console errors").isEmpty();
    }
  }

  /** Two people open the link at once, each landing on another node: exactly one side offers, and the call comes up. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void twoPeopleJoiningAtTheSameTimeOnDifferentNodesGetACall() throws Exception {
    for (int round = 0; round < 3; round++) {
      String room = "cluster-both-" + round + "-" + UUID.randomUUID().toString().substring(0, 8);
      CallPage ada = new CallPage(browsers.get(0));
      CallPage bob = new CallPage(browsers.get(1));
      CompletableFuture<Void> a = CompletableFuture.runAsync(() -> ada.join(mesh.node(0).port(), room, "Ada"));
      CompletableFuture<Void> b = CompletableFuture.runAsync(() -> bob.join(mesh.node(1).port(), room, "Bob"));
      a.get();
      b.get();
      ada.awaitConnectedToAll(List.of(bob.clientId()));
      bob.awaitConnectedToAll(List.of(ada.clientId()));
      bob.awaitFlowing(ada.clientId(), "framesDecoded");
      ada.awaitFlowing(bob.clientId(), "framesDecoded");
      ada.hook("window.signalmesh.leave()");
      bob.hook("window.signalmesh.leave()");
    }
  }

  /** The node's log lines about sessions it started (clientIds included). */
  private static String sessionsStartedOn(NodeProcess node) throws IOException {
    return String.join("\n", Files.readAllLines(node.log()).stream().filter(l -> l.contains("session started")).toList());
  }
}
