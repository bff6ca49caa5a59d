package io.signalmesh.webhook;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * POSTs one event to one receiver: the body as stored, signed, with the event's id and type in
 * headers. Completes with the status code (any: the caller decides what counts as delivered);
 * fails on a refused connection, a TLS or protocol error, or when the whole exchange takes longer
 * than the timeout (the request is then reset). Redirects are not followed; the response body
 * is read and dropped, never kept.
 */
final class WebhookSender {

  static final String EVENT_ID_HEADER = "X-Signalmesh-Event-Id";
  static final String EVENT_TYPE_HEADER = "X-Signalmesh-Event";
  static final String ATTEMPT_HEADER = "X-Signalmesh-Attempt";

  private final Vertx vertx;
  private final HttpClientAgent http;
  private final WebhookSignature signature;
  private final long timeoutMillis;
  private final String userAgent;

  WebhookSender(Vertx vertx, WebhookSignature signature, Duration timeout, int connectionsPerReceiver, String version) {
    this.vertx = vertx;
    this.signature = signature;
    this.timeoutMillis = timeout.toMillis();
    this.userAgent = "signalmesh-webhooks/" + version;
    this.http = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connectionsPerReceiver));
  }

  Future<Integer> post(Receiver receiver, OutboxEntry entry) {
    byte[] body = entry.body().getBytes(StandardCharsets.UTF_8);
    JsonObject event = parse(entry.body());
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(receiver.url())
        .setFollowRedirects(false)
        .setIdleTimeout(timeoutMillis)
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", userAgent)
        .putHeader(EVENT_ID_HEADER, event.getString("id", ""))
        .putHeader(EVENT_TYPE_HEADER, event.getString("type", ""))
        .putHeader(ATTEMPT_HEADER, Integer.toString(entry.attempt()))
        .putHeader(WebhookSignature.HEADER, signature.sign(body));
    Promise<Integer> result = Promise.promise();
    AtomicReference<HttpClientRequest> request = new AtomicReference<>();
    long timer = vertx.setTimer(timeoutMillis, id -> {
      if (result.tryFail(new TimeoutException("no answer within " + timeoutMillis + " ms"))) {
        HttpClientRequest running = request.get();
        if (running != null) {
          running.reset();
        }
      }
    });
    http.request(options)
        .compose(req -> {
          request.set(req);
          return req.send(Buffer.buffer(body));
        })
        .compose(response -> {
          response.handler(ignored -> { });
          return response.end().map(response.statusCode());
        })
        .onComplete(done -> {
          vertx.cancelTimer(timer);
          if (done.succeeded()) {
            result.tryComplete(done.result());
          } else {
            result.tryFail(done.cause());
          }
        });
    return result.future();
  }

  Future<Void> close() {
    return http.close();
  }

  private static JsonObject parse(String body) {
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }
}
