package io.signalmesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestNode;
import io.signalmesh.testsupport.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;

/**
 * Three people in one room, a full mesh of three peer connections, each page in its own headless
 * Chromium. The call is set up once for the class.
 */
class MeshCallIT {

  @AutoClose
  private static TestNode node;
  private static List<Browser> browsers;

  @RegisterExtension
  static final ConsoleOnFailure CONSOLE_ON_FAILURE = new ConsoleOnFailure(() -> browsers);

  private static final List<CallPage> pages = new ArrayList<>();
  private static final List<String> ids = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void threePersonCall() {
    node = TestNode.start();
    browsers = Browsers.start("mesh-ada", "mesh-bob", "mesh-cy");
    String room = "mesh-" + UUID.randomUUID().toString().substring(0, 8);
    String[] names = {"Ada Lovelace", "Bob Kahn", "Cy Hopper"};
    for (int i = 0; i < 3; i++) {
      CallPage page = new CallPage(browsers.get(i)).join(node.port(), room, names[i]);
      pages.add(page);
      ids.add(page.clientId());
    }
  }

  @AfterAll
  static void closeBrowsers() {
    Browsers.close(browsers);
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void everyPageHasTwoConnectedPeersSendingItVideo() {
    for (int i = 0; i < 3; i++) {
      CallPage page = pages.get(i);
      List<String> others = others(i);
      page.awaitConnectedToAll(others);
      for (String peer : others) {
        page.awaitFlowing(peer, "framesDecoded");
        page.awaitFlowing(peer, "audioBytesReceived");
      }
      assertThat(page.state()).containsEntry("participants", 3L);
      assertThat(page.hook("return document.querySelectorAll('[data-testid=remote-tile]').length")).isEqualTo(2L);
      assertThat(page.hook("return document.querySelector('[data-testid=participant-count]').textContent")).isEqualTo("3");
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void eachVideoSenderIsCappedForAThreePersonMesh() {
    for (int i = 0; i < 3; i++) {
      CallPage page = pages.get(i);
      page.awaitConnectedToAll(others(i));
      @SuppressWarnings("unchecked")
      Map<String, Object> encoding = (Map<String, Object>) page.hook("return window.signalmesh.encoding()");
      assertThat(((Number) encoding.get("maxBitrate")).longValue()).isEqualTo(900_000L);
      assertThat(((Number) encoding.get("scaleResolutionDownBy")).doubleValue()).isEqualTo(1.0);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void screenshotsOfTheCallAreSavedAsArtifacts() throws Exception {
    CallPage ada = pages.get(0);
    for (int i = 0; i < 3; i++) {
      pages.get(i).awaitConnectedToAll(others(i));
    }
    awaitTilesShowingVideo(ada, 3);
    // the connection indicators show a bitrate from the second stats poll on; the join toasts are gone
    Wait.until("ada's indicators show a bitrate and the toasts are gone", Duration.ofSeconds(15), () -> Boolean.TRUE.equals(ada.hook("""
        const nets = [...document.querySelectorAll('[data-testid=net-indicator]')];
        return nets.length === 2 && nets.every(n => n.dataset.quality === 'good' && /[1-9][0-9.]* [kM]bps/.test(n.textContent))
          && document.querySelectorAll('#toasts .toast').length === 0;
        """)));
    Path grid = ada.browser().screenshot("mesh-3-grid.png");

    pages.get(1).hook("window.signalmesh.sendChat('Morning! Slides are in the file I am sending.')");
    pages.get(1).hook("return window.signalmesh.sendFile(new Blob([new Uint8Array(300 * 1024)]), 'q3-roadmap.pdf')");
    ada.hook("document.querySelector('[data-testid=chat-button]').click()");
    ada.hook("window.signalmesh.sendChat('Thanks Bob, got it.')");
    Wait.until("ada received the file", Duration.ofSeconds(20), () -> Boolean.TRUE.equals(ada.hook(
        "return window.signalmesh.receivedFiles().some(f => f.ok)")));
    awaitTilesShowingVideo(ada, 3);
    Path chat = ada.browser().screenshot("mesh-3-chat.png");

    ada.hook("document.querySelector('[data-testid=chat-button]').click()");
    Dimension desktop = ada.browser().driver().manage().window().getSize();
    try {
      ada.browser().driver().manage().window().setSize(new Dimension(390, 844));
      awaitTilesShowingVideo(ada, 3);
      Path phone = ada.browser().screenshot("mesh-3-phone.png");
      for (Path png : List.of(grid, chat, phone)) {
        assertThat(Files.size(png)).as(png + " written").isGreaterThan(10_000);
      }
    } finally {
      ada.browser().driver().manage().window().setSize(desktop);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aThreePersonCallLogsNoConsoleErrors() {
    for (int i = 0; i < 3; i++) {
      pages.get(i).awaitConnectedToAll(others(i));
      for (String peer : others(i)) {
        pages.get(i).awaitFlowing(peer, "framesDecoded");
      }
    }
    for (Browser b : browsers) {
      assertThat(ConsoleErrors.unexpected(b)).as(b.name() + " console errors").isEmpty();
    }
  }

  private static List<String> others(int i) {
    List<String> others = new ArrayList<>(ids);
    others.remove(i);
    return others;
  }

  /** Waits until {@code count} tiles have a playing video with frames (no avatar placeholder). */
  private static void awaitTilesShowingVideo(CallPage page, int count) {
    Wait.until(page.browser().name() + " shows " + count + " video tiles", Duration.ofSeconds(20), () -> Boolean.TRUE.equals(page.hook("""
        const tiles = [...document.querySelectorAll('#grid .tile')];
        return tiles.length === arguments[0] && tiles.every(t => {
          const v = t.querySelector('video');
          return t.classList.contains('has-frames') && !t.classList.contains('no-video') && v.videoWidth > 0 && !v.paused;
        });
        """, count)));
  }
}
