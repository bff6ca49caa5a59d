package io.signalmesh.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces the receiver's verdict rests on: stamps, frames, streams; and the target and /proc checks. */
class CheckingTest {

  @Test
  void aStampSurvivesTheWire() {
    Stamp stamp = new Stamp(17, 42, 123_456_789_012L, true);
    assertThat(Stamp.decode(stamp.encode())).isEqualTo(stamp);
    assertThat(Stamp.decode("not a stamp")).isNull();
    assertThat(Stamp.decode(null)).isNull();
  }

  @Test
  void aStreamCountsDuplicatesAndLateArrivals() {
    StreamCheck stream = new StreamCheck();
    stream.arrived(0, true);
    stream.arrived(2, true);
    stream.arrived(1, true);
    stream.arrived(2, true);
    stream.arrived(3, false);
    assertThat(stream.uniqueMeasured()).isEqualTo(3);
    assertThat(stream.outOfOrder()).isEqualTo(1);
    assertThat(stream.duplicated()).isEqualTo(1);
  }

  @Test
  void frameFieldsAreFoundInCompactAndInSpacedJson() {
    Frame compact = new Frame("{\"type\":\"ice-candidate\",\"senderId\":\"abc\",\"bench\":\"1 2 3 1\"}");
    assertThat(compact.type()).isEqualTo("ice-candidate");
    assertThat(compact.senderId()).isEqualTo("abc");
    assertThat(Stamp.decode(compact.string(Stamp.FIELD))).isEqualTo(new Stamp(1, 2, 3, true));
    Frame spaced = new Frame("{ \"type\" : \"error\", \"code\" : \"room-full\" }");
    assertThat(spaced.type()).isEqualTo("error");
    assertThat(spaced.string("code")).isEqualTo("room-full");
    assertThat(new Frame("{\"type\":\"offer\"}").senderId()).isNull();
  }

  @Test
  void aRelayFrameIsAboutTheAskedSize() {
    String frame = new RelayFrames(330).frame("x".repeat(16), new Stamp(5, 77, 1_234_567_890_123L, true));
    assertThat(frame.length()).isBetween(320, 340);
    assertThat(new Frame(frame).type()).isEqualTo("ice-candidate");
    assertThat(new Frame(frame).json().getJsonObject("candidate").getString("sdpMid")).isEqualTo("0");
  }

  @Test
  void onlyLoopbackTargetsUnlessRemoteIsAllowed() {
    assertThat(Targets.of(List.of("ws://127.0.0.1:8080/ws", "ws://localhost:8081/ws", "ws://[::1]:8082/"), false).urls()).hasSize(3);
    assertThatThrownBy(() -> Targets.of(List.of("ws://192.0.2.1:8080/ws"), false))
        .hasMessageContaining("--allow-remote");
    assertThat(Targets.of(List.of("ws://192.0.2.1:8080/ws"), true).urls()).hasSize(1);
    assertThatThrownBy(() -> Targets.of(List.of("http://127.0.0.1:8080/"), false)).hasMessageContaining("ws://");
  }

  @Test
  void clientsAreSpreadRoundRobin() {
    Targets targets = Targets.of(List.of("ws://127.0.0.1:1/ws", "ws://127.0.0.1:2/ws"), false);
    assertThat(targets.forClient(0)).endsWith(":1/ws");
    assertThat(targets.forClient(1)).endsWith(":2/ws");
    assertThat(targets.forClient(2)).endsWith(":1/ws");
  }

  @Test
  void procFiguresAreReadFromStatAndStatus() {
    String stat = "1234 (java (main)) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 40 0 100 0 0";
    assertThat(ProcessProbe.cpuTicks(stat)).isEqualTo(325);
    assertThat(ProcessProbe.rssKb("Name:\tjava\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\n")).isEqualTo(123456);
    ProcessProbe self = ProcessProbe.self();
    assertThat(self.sample().rssKb()).isPositive();
  }
}
