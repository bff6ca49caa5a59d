package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each connection is pinged once per interval, and a loop's connections are not all pinged at once. */
class PingScheduleTest {

  private final PingSchedule<String> schedule = new PingSchedule<>(Duration.ofSeconds(20));

  @Test
  void everyConnectionIsPingedOncePerInterval() {
    schedule.add("ada");
    tick(7);
    schedule.add("bob");
    tick(5);
    schedule.add("cy");
    Map<String, Integer> pings = new HashMap<>();

    for (int i = 0; i < 5 * schedule.slotCount(); i++) {
      schedule.tick(connection -> pings.merge(connection, 1, Integer::sum));
    }

    assertThat(pings).containsExactlyInAnyOrderEntriesOf(Map.of("ada", 5, "bob", 5, "cy", 5));
  }

  @Test
  void aNewConnectionIsPingedWithinAnInterval() {
    tick(3);
    schedule.add("ada");
    List<String> pinged = new ArrayList<>();

    for (int i = 0; i < schedule.slotCount(); i++) {
      schedule.tick(pinged::add);
    }

    assertThat(pinged).containsExactly("ada");
  }

  @Test
  void connectionsThatCameAtOnceArePingedOverTheInterval() {
    for (int i = 0; i < 2_000; i++) {
      schedule.add("c" + i);
    }
    List<Integer> perTick = new ArrayList<>();

    for (int i = 0; i < schedule.slotCount(); i++) {
      perTick.add(schedule.tick(connection -> { }));
    }

    assertThat(perTick).hasSize(20).containsOnly(100);
  }

  @Test
  void newConnectionsFillTheSlotsThatLeavingOnesEmptied() {
    for (int i = 0; i < 200; i++) {
      schedule.add("c" + i);
    }
    // the ten connections of one slot leave, and ten others come
    List<String> oneSlot = new ArrayList<>();
    schedule.tick(oneSlot::add);
    oneSlot.forEach(schedule::remove);
    for (int i = 0; i < oneSlot.size(); i++) {
      schedule.add("new" + i);
    }
    List<Integer> perTick = new ArrayList<>();

    for (int i = 0; i < schedule.slotCount(); i++) {
      perTick.add(schedule.tick(connection -> { }));
    }

    assertThat(perTick).containsOnly(10);
  }

  @Test
  void aConnectionThatLeftIsNotPinged() {
    schedule.add("ada");
    schedule.add("bob");
    schedule.remove("ada");
    List<String> pinged = new ArrayList<>();

    for (int i = 0; i < schedule.slotCount(); i++) {
      schedule.tick(pinged::add);
    }

    assertThat(pinged).containsExactly("bob");
    assertThat(schedule.size()).isEqualTo(1);
  }

  @Test
  void aConnectionClosedByItsPingIsGone() {
    schedule.add("ada");

    for (int i = 0; i < schedule.slotCount(); i++) {
      schedule.tick(schedule::remove);
    }

    assertThat(schedule.size()).isZero();
  }

  @Test
  void theTicksOfAnIntervalAddUpToIt() {
    assertThat(PingSchedule.tickMillis(Duration.ofSeconds(20))).isEqualTo(1_000);
    assertThat(new PingSchedule<>(Duration.ofSeconds(20)).slotCount()).isEqualTo(20);
    assertThat(PingSchedule.tickMillis(Duration.ofMinutes(5))).as("at most a second").isEqualTo(1_000);
    assertThat(new PingSchedule<>(Duration.ofMinutes(5)).slotCount()).isEqualTo(300);
    assertThat(PingSchedule.tickMillis(Duration.ofMillis(200))).as("at least 10 ms").isEqualTo(10);
    assertThat(new PingSchedule<>(Duration.ofMillis(200)).slotCount()).isEqualTo(20);
    assertThat(new PingSchedule<>(Duration.ofMillis(50)).slotCount()).isEqualTo(5);
  }

  private void tick(int times) {
    for (int i = 0; i < times; i++) {
      schedule.tick(connection -> { });
    }
  }
}
