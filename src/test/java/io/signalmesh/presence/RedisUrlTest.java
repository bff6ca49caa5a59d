package io.signalmesh.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedisUrlTest {

  @Test
  void standaloneUrlNamesOneEndpointWithDefaultPort() {
    RedisOptions options = RedisUrl.parse("redis://redis.example");

    assertThat(options.getType()).isEqualTo(RedisClientType.STANDALONE);
    assertThat(options.getEndpoints()).containsExactly("redis://redis.example:6379");
    assertThat(options.getNetClientOptions().isSsl()).isFalse();
  }

  @Test
  void standaloneUrlKeepsPortAndDatabase() {
    assertThat(RedisUrl.parse("redis://10.0.0.5:6380/3").getEndpoints()).containsExactly("redis://10.0.0.5:6380/3");
  }

  @Test
  void credentialsGoToTheOptionsNotTheEndpoints() {
    RedisOptions options = RedisUrl.parse("redis://app:p%40ss+w:rd@localhost:6379");

    assertThat(options.getUser()).isEqualTo("app");
    assertThat(options.getPassword()).isEqualTo("p@ss+w:rd");
    assertThat(options.getEndpoints()).containsExactly("redis://localhost:6379");
  }

  @Test
  void passwordWithoutUserIsAccepted() {
    RedisOptions options = RedisUrl.parse("redis://:secret@localhost");

    assertThat(options.getUser()).isNull();
    assertThat(options.getPassword()).isEqualTo("secret");
  }

  @Test
  void redissTurnsOnTlsWithHostnameVerification() {
    RedisOptions options = RedisUrl.parse("rediss://cache.example:6380");

    assertThat(options.getEndpoints()).containsExactly("rediss://cache.example:6380");
    assertThat(options.getNetClientOptions().isSsl()).isTrue();
    assertThat(options.getNetClientOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
  }

  @Test
  void sentinelUrlListsSentinelsAndAsksForTheMaster() {
    RedisOptions options = RedisUrl.parse("redis-sentinel://:pw@s1:26379,s2,s3:26380/mymaster");

    assertThat(options.getType()).isEqualTo(RedisClientType.SENTINEL);
    assertThat(options.getEndpoints()).containsExactly("redis://s1:26379", "redis://s2:26379", "redis://s3:26380");
    assertThat(options.getMasterName()).isEqualTo("mymaster");
    assertThat(options.getRole()).isEqualTo(RedisRole.MASTER);
    assertThat(options.getPassword()).isEqualTo("pw");
  }

  @Test
  void clusterUrlListsSeedNodes() {
    RedisOptions options = RedisUrl.parse("redis-cluster://n1:7000,n2:7001,[::1]:7002");

    assertThat(options.getType()).isEqualTo(RedisClientType.CLUSTER);
    assertThat(options.getEndpoints()).containsExactly("redis://n1:7000", "redis://n2:7001", "redis://[::1]:7002");
  }

  @Test
  void poolIsSizedForAMeshNode() {
    RedisOptions options = RedisUrl.parse("redis://localhost");

    assertThat(options.getMaxPoolSize()).isEqualTo(RedisUrl.DEFAULT_MAX_POOL_SIZE);
    assertThat(options.getMaxPoolWaiting()).isEqualTo(RedisUrl.DEFAULT_MAX_POOL_WAITING);
  }

  @Test
  void aPipelinedConnectionHoldsABurstOfJoinsInFlightButAClusterPoolKeepsTheClientDefault() {
    assertThat(RedisUrl.parse("redis://localhost").getMaxWaitingHandlers()).isEqualTo(RedisUrl.DEFAULT_MAX_WAITING_HANDLERS);
    assertThat(RedisUrl.parse("redis-sentinel://s1:26379/mymaster").getMaxWaitingHandlers())
        .isEqualTo(RedisUrl.DEFAULT_MAX_WAITING_HANDLERS);
    assertThat(RedisUrl.parse("redis-cluster://n1:7000").getMaxWaitingHandlers())
        .isEqualTo(new RedisOptions().getMaxWaitingHandlers());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "localhost:6379", "http://localhost", "redis://", "redis://host:0", "redis://host:70000",
      "redis://host:port", "redis://host/db", "redis://host/-1", "redis://a:1,b:2", "redis://host?db=1",
      "redis-sentinel://s1:26379", "redis-sentinel://s1:26379/", "redis-cluster://n1:7000/0",
      "redis-cluster://n1:7000,,n2:7001", "redis://[::1:6379", "redis://@host", "redis://u:%zz@host",
      "redis://ho st:6379"})
  void badValuesAreRejectedNamingTheSetting(String value) {
    assertThatThrownBy(() -> RedisUrl.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--redis ");
  }

  @Test
  void nullIsRejectedNamingTheSetting() {
    assertThatThrownBy(() -> RedisUrl.parse(null)).hasMessageStartingWith("--redis is empty");
  }

  @Test
  void errorsNeverEchoThePassword() {
    // a forgotten host: "secret" lands where the port belongs
    assertThatThrownBy(() -> RedisUrl.parse("redis://admin:secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RedisUrl.parse("redis://admin:secret@host:port"))
        .hasMessageNotContaining("secret");
  }

  @Test
  void redactedHidesOnlyThePassword() {
    assertThat(RedisUrl.redacted("redis://app:secret@host:6379/1")).isEqualTo("redis://app:***@host:6379/1");
    assertThat(RedisUrl.redacted("redis://host:6379")).isEqualTo("redis://host:6379");
  }
}
