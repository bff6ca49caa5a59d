package io.signalmesh.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.signalmesh.testsupport.FreePorts;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real webhook receiver for tests: the JDK's HTTP server on a loopback port, checking each
 * POST's signature itself (its own HMAC, not the production code's) and keeping what it got.
 * It can answer 503 for a while, or be stopped (connections refused) and started again on the
 * same port, as a receiver in an outage would. Public for the cluster ITs that share their
 * deployment with a webhook check.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One POST as it arrived. */
  public record Delivery(Map<String, String> headers, String body, boolean signatureValid, int answeredWith) {
    public JsonObject event() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  private final int port = FreePorts.next();
  private final byte[] secret;
  private final List<Delivery> deliveries = new ArrayList<>();
  private final AtomicInteger answer = new AtomicInteger(200);
  private HttpServer server;
  private ExecutorService executor;

  public WebhookReceiver(String secret) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  public synchronized WebhookReceiver start() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + port, e);
    }
    executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/hooks", this::handle);
    server.start();
    return this;
  }

  /** Stops listening: further connections are refused until {@link #start()}. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  /** The status every POST gets from now on (200 accepts; 503 is an outage that still answers). */
  public void answerWith(int status) {
    answer.set(status);
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/hooks";
  }

  /** Every POST so far, accepted or not. */
  public synchronized List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  /** The POSTs answered 2xx: the events the receiver acknowledged. */
  public synchronized List<Delivery> accepted() {
    return deliveries.stream().filter(d -> d.answeredWith() / 100 == 2).toList();
  }

  /** The accepted events, each id once, in arrival order. */
  public synchronized List<JsonObject> events() {
    Map<String, JsonObject> byId = new LinkedHashMap<>();
    accepted().forEach(d -> byId.putIfAbsent(d.event().getString("id"), d.event()));
    return List.copyOf(byId.values());
  }

  /** Waits until an accepted event matches. */
  public JsonObject awaitEvent(String description, Duration timeout, Predicate<JsonObject> match) {
    Wait.until(description, timeout, () -> events().stream().anyMatch(match));
    return events().stream().filter(match).findFirst().orElseThrow();
  }

  /** Waits until {@code count} distinct events were accepted. */
  public List<JsonObject> awaitEvents(int count, Duration timeout) {
    Wait.until(count + " webhook events (got " + events().size() + ")", timeout, () -> events().size() >= count);
    return events();
  }

  public static Predicate<JsonObject> event(String type, String roomId) {
    return e -> type.equals(e.getString("type")) && roomId.equals(e.getString("roomId"));
  }

  public static Predicate<JsonObject> event(String type, String roomId, String participantId) {
    return event(type, roomId).and(e -> participantId.equals(e.getString("participantId")));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange; InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readAllBytes();
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((name, values) ->
          headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values)));
      String signature = headers.getOrDefault("x-signalmesh-signature", "");
      boolean valid = "POST".equals(exchange.getRequestMethod()) && MessageDigest.isEqual(
          signature.getBytes(StandardCharsets.US_ASCII), ("sha256=" + hmac(body)).getBytes(StandardCharsets.US_ASCII));
      // a real receiver refuses what it cannot verify; the tests also look at every delivery
      int status = valid ? answer.get() : 401;
      synchronized (this) {
        deliveries.add(new Delivery(headers, new String(body, StandardCharsets.UTF_8), valid, status));
      }
      exchange.sendResponseHeaders(status, -1);
    }
  }

  private String hmac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
