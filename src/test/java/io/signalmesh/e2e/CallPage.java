package io.signalmesh.e2e;

import io.signalmesh.testsupport.Wait;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The web app in one {@link Browser}, read through its test hooks ({@code window.signalmesh.*}, see
 * docs/client.md). Waits poll the page with a deadline; nothing sleeps for a fixed time.
 */
final class CallPage {

  /** WebRTC on loopback connects in a few seconds; this leaves room for a busy 2-core machine. */
  static final Duration CONNECT = Duration.ofSeconds(30);

  private final Browser browser;

  CallPage(Browser browser) {
    this.browser = browser;
  }

  Browser browser() {
    return browser;
  }

  /** Opens {@code /?room=R&name=N} on the node at {@code port}, which joins at once, and waits for the join. */
  CallPage join(int port, String room, String name) {
    browser.open("http://127.0.0.1:" + port + "/?room=" + enc(room) + "&name=" + enc(name));
    awaitJoined();
    return this;
  }

  void awaitJoined() {
    Wait.until(browser.name() + " joined", CONNECT, () -> Boolean.TRUE.equals(hook("return window.signalmesh && window.signalmesh.joined")));
  }

  String clientId() {
    return (String) hook("return window.signalmesh.clientId");
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> state() {
    return (Map<String, Object>) hook("return window.signalmesh.state()");
  }

  @SuppressWarnings("unchecked")
  List<String> peers() {
    return (List<String>) hook("return window.signalmesh.peers()");
  }

  @SuppressWarnings("unchecked")
  Map<String, String> peerStates() {
    return (Map<String, String>) hook("return window.signalmesh.peerStates()");
  }

  /** {@code signalmesh.stats(peer)}: cumulative getStats numbers, or null when there is no such peer. */
  @SuppressWarnings("unchecked")
  Map<String, Object> stats(String peerId) {
    return (Map<String, Object>) hook("return window.signalmesh.stats(arguments[0])", peerId);
  }

  long stat(String peerId, String key) {
    Map<String, Object> s = stats(peerId);
    Object v = s == null ? null : s.get(key);
    return v instanceof Number n ? n.longValue() : 0;
  }

  /** Waits until the connection to {@code peerId} is {@code connected}. */
  void awaitConnectedTo(String peerId) {
    Wait.until(browser.name() + " connected to " + peerId, CONNECT, () -> "connected".equals(peerStates().get(peerId)));
  }

  /** Waits until exactly these peers are connected. */
  void awaitConnectedToAll(List<String> peerIds) {
    Wait.until(browser.name() + " connected to exactly " + peerIds, CONNECT, () -> {
      Map<String, String> states = peerStates();
      return states.keySet().equals(Set.copyOf(peerIds)) && states.values().stream().allMatch("connected"::equals);
    });
  }

  /**
   * Takes a sample of {@code key} in the stats of {@code peerId}, then waits for a later sample that
   * is larger: the counter is rising, not just non-zero from an earlier call.
   */
  long awaitRising(String peerId, String key, Duration timeout) {
    long first = stat(peerId, key);
    long[] last = {first};
    Wait.until(browser.name() + ": " + key + " from " + peerId + " rising above " + first, timeout, () -> {
      last[0] = stat(peerId, key);
      return last[0] > first;
    });
    return last[0];
  }

  /** Waits until {@code key} from {@code peerId} is above zero, then until it rises further. */
  void awaitFlowing(String peerId, String key) {
    Wait.until(browser.name() + ": first " + key + " from " + peerId, CONNECT, () -> stat(peerId, key) > 0);
    awaitRising(peerId, key, Duration.ofSeconds(15));
  }

  /** Waits until the stats of {@code peerId} satisfy the condition. */
  void awaitStats(String what, String peerId, Duration timeout, Predicate<Map<String, Object>> condition) {
    Wait.until(browser.name() + ": " + what, timeout, () -> {
      Map<String, Object> s = stats(peerId);
      return s != null && condition.test(s);
    });
  }

  Object hook(String script, Object... args) {
    return browser.js(script, args);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
