package io.signalmesh.app;

import io.signalmesh.config.ConfigException;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.presence.InMemoryPresenceStore;
import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.presence.RedisCalls;
import io.signalmesh.presence.RedisNodeDirectory;
import io.signalmesh.presence.RedisPresenceStore;
import io.signalmesh.presence.RedisUrl;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisOptions;

/** The presence store and node directory: in memory for one node, in Redis for a mesh (one client shared by both). */
record Backends(PresenceStore presence, NodeDirectory directory) {

  static Backends create(Vertx vertx, ServerConfig config, SignalingMetrics metrics) {
    if (config.redisUrl() == null) {
      return new Backends(new InMemoryPresenceStore(), NodeDirectory.local());
    }
    RedisOptions options;
    try {
      options = RedisUrl.parse(config.redisUrl());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--redis", e.getMessage().replaceFirst("^--redis:?\\\\s*", ""));
    }
    RedisCalls calls = new RedisCalls(vertx, options, config.redisTimeout(), metrics);
    return new Backends(new RedisPresenceStore(calls), new RedisNodeDirectory(calls));
  }
}
