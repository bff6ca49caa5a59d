package io.signalmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.signalmesh.auth.RoomTokenIssuer;
import io.signalmesh.testsupport.RawWebSocket;
import io.signalmesh.testsupport.TestClient;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --log-format json} in its own process, as a log collector sees it: every line on
 * stdout is one JSON object, and no line ever holds a session token or a room token.
 */
@Timeout(90)
class JsonLogTest {

  private static final String SECRET = "json-log-test-secret-of-at-least-32-bytes";
  private static final Pattern READY = Pattern.compile("signalmesh ready: .*signaling=https?://[^ ]+:(\\d+) ");

  @Test
  void jsonLogsAreOneObjectPerLineAndNeverHoldATokenThroughAWholeSessionLife() throws Exception {
    RoomTokenIssuer issuer = new RoomTokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
    String roomToken = issuer.issue("ada", "logged-room", "Ada", Duration.ofMinutes(5), null);
    String forged = new RoomTokenIssuer("some-other-secret-of-at-least-32-bytes-xx".getBytes(StandardCharsets.UTF_8),
        Clock.systemUTC()).issue("eve", "*", null, Duration.ofMinutes(5), null);
    List<String> secrets = new ArrayList<>(List.of(roomToken, forged, SECRET));

    Process process = serve("--log-format", "json", "--host", "127.0.0.1", "--port", "0", "--management-port", "0",
        "--token-secret", SECRET, "--resume-grace", "1", "--drain-timeout", "5s");
    Lines stdout = new Lines();
    CompletableFuture<Void> stdoutDone = pump(process, stdout, false);
    Lines stderr = new Lines();
    CompletableFuture<Void> stderrDone = pump(process, stderr, true);
    String adaSession;
    try {
      int port = stdout.awaitReadyPort();
      String ws = "ws://127.0.0.1:" + port + "/ws";

      try (TestClient ada = TestClient.connect(ws + "?token=" + roomToken)) {
        adaSession = ada.sessionToken();
        secrets.add(adaSession);
        ada.join("logged-room", "Ada");
        ada.send(new JsonObject().put("type", "join-room").put("roomId", "not-covered"));
        ada.expectError("forbidden");
        ada.sendText("{not json");
        ada.expectError("bad-json");
        ada.dropConnection();
        // resume: the session token travels in the query string
        try (TestClient again = TestClient.connect(ws + "?resume=" + ada.sessionToken() + "&token=" + roomToken)) {
          assertThat(again.connected().getBoolean("resumed")).isTrue();
          again.closeNormally();
        }
      }
      try (TestClient refused = TestClient.open(ws + "?token=" + forged)) {
        refused.expectError("unauthorized");
        refused.awaitClose();
      }
      try (RawWebSocket raw = RawWebSocket.connect(port, "/ws?token=" + roomToken + "&resume=" + adaSession)) {
        raw.sendFrameHeader(RawWebSocket.OP_TEXT, 1L << 40);
        raw.awaitClose(TestClient.TIMEOUT);
      }
      try (TestClient dropped = TestClient.connect(ws + "?token=" + roomToken)) {
        secrets.add(dropped.sessionToken());
        dropped.join("logged-room");
        dropped.dropConnection();
      }
    } finally {
      process.toHandle().destroy(); // SIGTERM (keeps our ends of the pipes open): drain, then exit
    }
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    stdoutDone.get(10, TimeUnit.SECONDS);
    stderrDone.get(10, TimeUnit.SECONDS);

    List<String> lines = stdout.all();
    assertThat(lines).as("log lines").hasSizeGreaterThan(5);
    List<JsonObject> objects = new ArrayList<>();
    for (String line : lines) {
      try {
        objects.add(new JsonObject(line));
      } catch (RuntimeException e) {
        fail("not one JSON object: " + line);
      }
    }
    for (JsonObject object : objects) {
      assertThat(object.fieldNames()).contains("ts", "level", "logger", "msg");
    }
    assertThat(objects).anyMatch(o -> "joined room".equals(o.getString("msg")) && "logged-room".equals(o.getString("room"))
        && o.getString("clientId") != null);
    assertThat(objects).anyMatch(o -> "session resumed".equals(o.getString("msg")));
    assertThat(objects).anyMatch(o -> "forbidden".equals(o.getString("code")));
    assertThat(objects).anyMatch(o -> String.valueOf(o.getString("msg")).contains("draining"));
    List<String> everything = new ArrayList<>(lines);
    everything.addAll(stderr.all());
    for (String line : everything) {
      for (String secret : secrets) {
        assertThat(line).as("a log line").doesNotContain(secret);
      }
    }
  }

  private static Process serve(String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // the main classes and dependencies only: the node logs with its own logback.xml, not the tests'
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(java, "-cp", classpath, Main.class.getName(), "serve"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("SIGNALMESH_"));
    return builder.start();
  }

  private static CompletableFuture<Void> pump(Process process, Lines lines, boolean errors) {
    return CompletableFuture.runAsync(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(
          errors ? process.getErrorStream() : process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, runnable -> new Thread(runnable, "json-log-pump").start());
  }

  /** The lines of one output stream, as they arrive. */
  private static final class Lines {
    private final List<String> lines = new ArrayList<>();

    synchronized void add(String line) {
      lines.add(line);
      notifyAll();
    }

    synchronized List<String> all() {
      return List.copyOf(lines);
    }

    /** The signaling port from the ready line, once it is printed. */
    synchronized int awaitReadyPort() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        for (String line : lines) {
          Matcher matcher = READY.matcher(line);
          if (matcher.find()) {
            return Integer.parseInt(matcher.group(1));
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return fail("no ready line; got " + lines);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }
}
