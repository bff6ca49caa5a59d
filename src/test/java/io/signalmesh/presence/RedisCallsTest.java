package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static io.signalmesh.presence.Futures.on;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.RedisExtension;
import io.signalmesh.testsupport.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The calls every Redis-backed part of a node makes, against a real redis-server. */
class RedisCallsTest {

  @RegisterExtension
  static final RedisExtension<RedisServer> REDIS = RedisExtension.standalone();

  private final Vertx vertx = REDIS.vertx();
  private RedisCalls calls;

  @BeforeEach
  void open() {
    calls = REDIS.emptyCalls();
  }

  /**
   * What keeps a session's frames in order behind its join: the join's continuation runs on the
   * session's event loop, so the session's next frame cannot be handled before it.
   */
  @Test
  void anAnswerReachesTheCallerOnItsOwnContextNotOnTheOneThatOpenedTheConnection() throws Exception {
    Context opener = vertx.getOrCreateContext();
    Context caller = vertx.getOrCreateContext();
    assertThat(caller).isNotSameAs(opener);
    // every shared connection is opened from the first context (one call per connection)
    for (int i = 0; i < 4; i++) {
      await(on(opener, () -> calls.call("ping", "test", Request.cmd(Command.PING))));
    }

    CompletableFuture<Context> answeredOn = new CompletableFuture<>();
    caller.runOnContext(ignored -> calls.call("ping", "test", Request.cmd(Command.PING))
        .onComplete(done -> answeredOn.complete(Vertx.currentContext())));

    assertThat(answeredOn.get(10, TimeUnit.SECONDS)).isSameAs(caller);
  }

  @Test
  void aFailedCallAlsoReachesTheCallerOnItsOwnContext() throws Exception {
    Context opener = vertx.getOrCreateContext();
    Context caller = vertx.getOrCreateContext();
    for (int i = 0; i < 4; i++) {
      await(on(opener, () -> calls.call("ping", "test", Request.cmd(Command.PING))));
    }

    CompletableFuture<Context> failedOn = new CompletableFuture<>();
    caller.runOnContext(ignored -> calls.call("get", "not-a-key", Request.cmd(Command.GET))
        .onComplete(done -> failedOn.complete(done.failed() ? Vertx.currentContext() : null)));

    assertThat(failedOn.get(10, TimeUnit.SECONDS)).as("failed (GET without a key), on the caller's context")
        .isSameAs(caller);
  }
}
