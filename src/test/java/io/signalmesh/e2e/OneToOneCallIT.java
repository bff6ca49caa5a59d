package io.signalmesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestNode;
import io.signalmesh.testsupport.Wait;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two people in a call, each in a real headless Chromium with a fake camera and microphone, on one
 * node. The node and the two browsers are shared by the tests; each test has its own room.
 */
class OneToOneCallIT {

  @AutoClose
  private static TestNode node;
  private static List<Browser> browsers;

  @RegisterExtension
  static final ConsoleOnFailure CONSOLE_ON_FAILURE = new ConsoleOnFailure(() -> browsers);
  private CallPage ada;
  private CallPage bob;
  private String adaId;
  private String bobId;
  private String room;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    browsers = Browsers.start("one-ada", "one-bob");
    browsers.get(1).recordWebSocketFrames();
  }

  @AfterAll
  static void closeBrowsers() {
    Browsers.close(browsers);
  }

  @BeforeEach
  void call(TestInfo test) {
    browsers.forEach(Browser::console); // drain what earlier tests logged
    room = "one-" + test.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    ada = new CallPage(browsers.get(0)).join(node.port(), room, "Ada Lovelace");
    bob = new CallPage(browsers.get(1)).join(node.port(), room, "Bob Kahn");
    adaId = ada.clientId();
    bobId = bob.clientId();
    ada.awaitConnectedToAll(List.of(bobId));
    bob.awaitConnectedToAll(List.of(adaId));
  }

  @AfterEach
  void hangUp() {
    for (Browser b : browsers) {
      try {
        b.js("if (window.signalmesh) window.signalmesh.leave()");
      } catch (RuntimeException e) {
        // the next test opens a fresh page anyway
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void videoAndAudioFlowBothWays() {
    for (CallPage[] pair : new CallPage[][] {{ada, bob}, {bob, ada}}) {
      CallPage receiver = pair[0];
      String sender = pair[1].clientId();
      receiver.awaitFlowing(sender, "framesDecoded");
      receiver.awaitFlowing(sender, "audioBytesReceived");
      Map<String, Object> s = receiver.stats(sender);
      assertThat(((Number) s.get("frameWidth")).intValue()).as("decoded video width").isPositive();
      assertThat(s.get("relay")).as("loopback call is direct").isEqualTo(false);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void chatMessagesArriveBothWays() {
    ada.hook("window.signalmesh.sendChat(arguments[0])", "Hi Bob, can you hear me?");
    awaitChat(bob, adaId, "Hi Bob, can you hear me?");
    bob.hook("window.signalmesh.sendChat(arguments[0])", "Loud and clear, Ada.");
    awaitChat(ada, bobId, "Loud and clear, Ada.");
    // shown in the chat panel too, once each (no duplicate through the server fallback)
    assertThat(chatTexts(ada)).containsExactly("Hi Bob, can you hear me?", "Loud and clear, Ada.");
    assertThat(chatTexts(bob)).containsExactly("Hi Bob, can you hear me?", "Loud and clear, Ada.");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @SuppressWarnings("unchecked")
  void aFiveMegabyteFileArrivesWithAMatchingSha256() throws Exception {
    int size = 5 * 1024 * 1024;
    int seed = 0x5eed1234;
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pseudoRandomBytes(size, seed)));
    @SuppressWarnings("unchecked")
    Map<String, Object> sent = (Map<String, Object>) ada.hook("""
        const [size, seed] = arguments;
        const bytes = new Uint8Array(size);
        let x = seed | 0;
        for (let i = 0; i < size; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; bytes[i] = x & 0xff; }
        return window.signalmesh.sendFile(new Blob([bytes], {type: 'application/octet-stream'}), 'random-5mb.bin');
        """, size, seed);
    assertThat(sent.get("sha256")).as("hash the sender announced").isEqualTo(expected);
    assertThat((List<Object>) sent.get("peers")).containsExactly(bobId);

    Wait.until("bob received random-5mb.bin", Duration.ofSeconds(60), () -> !receivedFiles(bob).isEmpty());
    Map<String, Object> got = receivedFiles(bob).get(0);
    assertThat(got.get("name")).isEqualTo("random-5mb.bin");
    assertThat(((Number) got.get("size")).longValue()).isEqualTo(size);
    assertThat(got.get("sha256")).as("hash computed on arrival").isEqualTo(expected);
    assertThat(got.get("ok")).isEqualTo(true);
    assertThat(got.get("from")).isEqualTo(adaId);
    Wait.until("ada sees the file delivered and verified", Duration.ofSeconds(30), () ->
        sentFiles(ada).stream().anyMatch(f -> "delivered".equals(f.get("status"))));
    assertThat(ada.hook("return document.querySelector('[data-testid=file-sent]').dataset.status")).isEqualTo("delivered");
    assertThat(bob.hook("return document.querySelector('[data-testid=file-received]').dataset.status")).isEqualTo("ok");
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void screenShareReplacesTheCameraAndTheCameraComesBackAfter() {
    bob.awaitFlowing(adaId, "framesDecoded");
    assertThat(bob.stats(adaId).get("videoContentType")).isEqualTo("default");
    assertThat((String) ada.hook("return window.signalmesh.localVideoLabel()")).doesNotStartWith("screen:");

    ada.hook("return window.signalmesh.startScreenShare()");
    assertThat(ada.hook("return window.signalmesh.isScreenSharing()")).isEqualTo(true);
    assertThat((String) ada.hook("return window.signalmesh.localVideoLabel()")).startsWith("screen:");
    // the frames bob decodes are marked as screen content by ada's encoder (RTP video-content-type)
    bob.awaitStats("frames of ada's screen", adaId, Duration.ofSeconds(20), s -> "screenshare".equals(s.get("videoContentType")));
    bob.awaitRising(adaId, "framesDecoded", Duration.ofSeconds(15));
    assertThat(ada.peerStates()).as("replaceTrack: the same connection").containsEntry(bobId, "connected");
    Wait.until("bob's tile of ada shows the screen flag", Duration.ofSeconds(10), () -> Boolean.TRUE.equals(bob.hook(
        "const t = document.querySelector(`[data-testid=remote-tile][data-peer-id='${arguments[0]}']`);"
            + " return !!t && t.classList.contains('screen')", adaId)));

    ada.hook("window.signalmesh.stopScreenShare()");
    assertThat(ada.hook("return window.signalmesh.isScreenSharing()")).isEqualTo(false);
    assertThat((String) ada.hook("return window.signalmesh.localVideoLabel()")).doesNotStartWith("screen:");
    bob.awaitStats("camera frames from ada again", adaId, Duration.ofSeconds(20), s -> "default".equals(s.get("videoContentType")));
    bob.awaitRising(adaId, "framesDecoded", Duration.ofSeconds(15));
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void sharingStoppedFromTheBrowsersOwnButtonFallsBackToTheCamera() {
    ada.hook("return window.signalmesh.startScreenShare()");
    bob.awaitStats("frames of ada's screen", adaId, Duration.ofSeconds(20), s -> "screenshare".equals(s.get("videoContentType")));
    // What Chromium's "Stop sharing" bar does: the capture ends and the track fires "ended"
    // (a page's own track.stop() fires no event, so the test fires it as the browser would).
    ada.hook("""
        const track = document.querySelector('[data-testid=local-tile] video').srcObject.getVideoTracks()[0];
        if (!track.label.startsWith('screen:')) throw new Error('not the screen track: ' + track.label);
        track.stop();
        track.dispatchEvent(new Event('ended'));
        """);
    assertThat(ada.hook("return window.signalmesh.isScreenSharing()")).isEqualTo(false);
    assertThat((String) ada.hook("return window.signalmesh.localVideoLabel()")).doesNotStartWith("screen:");
    assertThat(ada.hook("return document.querySelector('[data-testid=screen-button]').getAttribute('aria-pressed')")).isEqualTo("false");
    bob.awaitStats("camera frames from ada again", adaId, Duration.ofSeconds(20), s -> "default".equals(s.get("videoContentType")));
    bob.awaitRising(adaId, "framesDecoded", Duration.ofSeconds(15));
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aReloadedPageResumesItsSessionAndTheCallComesBack() {
    bob.awaitFlowing(adaId, "framesDecoded");
    ada.browser().driver().navigate().refresh();
    ada.awaitJoined();
    assertThat(ada.clientId()).as("same clientId after the reload").isEqualTo(adaId);

    ada.awaitConnectedToAll(List.of(bobId));
    bob.awaitConnectedToAll(List.of(adaId));
    bob.awaitFlowing(adaId, "framesDecoded");
    ada.awaitFlowing(bobId, "framesDecoded");
    ada.awaitFlowing(bobId, "audioBytesReceived");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> seen = (List<Map<String, Object>>) bob.hook(
        "return window.__wsFrames.filter(f => f.type === 'participant-left' || f.type === 'peer-disconnected' || f.type === 'participant-joined')");
    assertThat(seen).as("bob saw no one leave or join").isEmpty();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aNormalCallLogsNoConsoleErrors() {
    for (CallPage[] pair : new CallPage[][] {{ada, bob}, {bob, ada}}) {
      pair[0].awaitFlowing(pair[1].clientId(), "framesDecoded");
    }
    ada.hook("window.signalmesh.sendChat('errors, anyone?')");
    awaitChat(bob, adaId, "errors, anyone?");
    ada.hook("document.querySelector('[data-testid=chat-button]').click()");
    ada.hook("window.signalmesh.leave()");
    Wait.until("bob sees ada leave", CallPage.CONNECT, () -> bob.peers().isEmpty());
    for (Browser b : browsers) {
      assertThat(ConsoleErrors.unexpected(b)).as(b.name() + " console errors").isEmpty();
    }
  }

  // ------------------------------------------------------------------ helpers

  private static void awaitChat(CallPage page, String from, String text) {
    Wait.until(page.browser().name() + " got chat '" + text + "'", Duration.ofSeconds(15), () -> {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> log = (List<Map<String, Object>>) page.hook("return window.signalmesh.chatLog()");
      return log.stream().anyMatch(e -> text.equals(e.get("text")) && from.equals(e.get("from")) && Boolean.FALSE.equals(e.get("self")));
    });
  }

  @SuppressWarnings("unchecked")
  private static List<String> chatTexts(CallPage page) {
    return (List<String>) page.hook(
        "return [...document.querySelectorAll('[data-testid=chat-message] p')].map(p => p.textContent)");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> receivedFiles(CallPage page) {
    return (List<Map<String, Object>>) page.hook("return window.signalmesh.receivedFiles()");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> sentFiles(CallPage page) {
    return (List<Map<String, Object>>) page.hook("return window.signalmesh.sentFiles()");
  }

  /** The bytes the page generates: xorshift32 from {@code seed}, low byte of each step. */
  private static byte[] pseudoRandomBytes(int size, int seed) {
    byte[] bytes = new byte[size];
    int x = seed;
    for (int i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = (byte) x;
    }
    return bytes;
  }
}
