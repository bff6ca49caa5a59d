package io.signalmesh.presence;

import static io.signalmesh.presence.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalmesh.testsupport.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The limit on commands in flight that keeps the cluster client's pools from deadlocking, on a real redis-server. */
class InFlightLimitedRedisTest {

  private Vertx vertx;
  private RedisServer server;
  private Redis limited;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server = new RedisServer().start();
    limited = new InFlightLimitedRedis(Redis.createClient(vertx, RedisUrl.parse(server.url())), 1, 1);
  }

  @AfterEach
  void stop() {
    await(limited.close());
    server.close();
    await(vertx.close());
  }

  @Test
  void aCommandOverTheLimitWaitsForTheOneInFlightAndTheQueueIsBounded() {
    List<String> finished = new CopyOnWriteArrayList<>();
    // BLPOP on an empty list holds its place for half a second
    Future<Response> blocking = limited.send(Request.cmd(Command.BLPOP).arg("empty").arg("0.5"))
        .onSuccess(reply -> finished.add("blpop"));
    Future<Response> queued = limited.send(Request.cmd(Command.PING)).onSuccess(reply -> finished.add("ping"));
    Future<Response> refused = limited.send(Request.cmd(Command.PING));

    assertThatThrownBy(() -> await(refused)).hasMessageContaining("too many Redis commands waiting");
    assertThat(await(queued).toString()).isEqualTo("PONG");
    assertThat(await(blocking)).isNull();
    assertThat(finished).containsExactly("blpop", "ping");
    assertThat(await(limited.send(Request.cmd(Command.PING))).toString()).isEqualTo("PONG");
  }
}
