package io.signalmesh.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ports handed to node processes before they bind them are never handed out twice. */
class FreePortsTest {

  @Test
  void noPortIsHandedOutTwice() {
    // 2,000 random picks among about 22,000 ports would repeat some 90 times
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      assertThat(ports.add(FreePorts.next())).as("pick %d", i).isTrue();
    }
  }
}
