package io.signalmesh.app;

import io.signalmesh.config.ConfigException;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.metrics.SignalingMetrics;
import io.signalmesh.presence.InMemoryPresenceStore;
import io.signalmesh.presence.NodeDirectory;
import io.signalmesh.presence.OutboxStreams;
import io.signalmesh.presence.PresenceStore;
import io.signalmesh.presence.RedisCalls;
import io.signalmesh.presence.RedisNodeDirectory;
import io.signalmesh.presence.RedisPresenceKeys;
import io.signalmesh.presence.RedisPresenceStore;
import io.signalmesh.presence.RedisUrl;
import io.signalmesh.webhook.InMemoryOutbox;
import io.signalmesh.webhook.Outbox;
import io.signalmesh.webhook.RedisOutbox;
import io.signalmesh.webhook.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/**
 * The presence store and node directory: in memory for one node, in Redis for a mesh (one client
 * shared by both); and with webhooks on, the outbox the store writes events to, beside it.
 *
 * @param outbox the webhook outbox, null when webhooks are off
 */
record Backends(PresenceStore presence, NodeDirectory directory, Outbox outbox) {

  static Backends create(Vertx vertx, ServerConfig config, RedisPresenceKeys keys, SignalingMetrics metrics,
      Webhooks webhooks) {
    if (config.redisUrl() == null) {
      if (!webhooks.enabled()) {
        return new Backends(new InMemoryPresenceStore(), NodeDirectory.local(), null);
      }
      InMemoryOutbox outbox = new InMemoryOutbox(webhooks.receivers(), Webhooks.OUTBOX_CAPACITY, webhooks.policy(),
          () -> System.nanoTime() / 1_000_000);
      return new Backends(new InMemoryPresenceStore(outbox::append), NodeDirectory.local(), outbox);
    }
    RedisOptions options;
    try {
      options = RedisUrl.parse(config.redisUrl());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--redis", e.getMessage().replaceFirst("^--redis:?\\\\s*", ""));
    }
    RedisCalls calls = new RedisCalls(vertx, options, config.redisTimeout(), metrics);
    if (!webhooks.enabled()) {
      return new Backends(new RedisPresenceStore(calls, keys, OutboxStreams.none()), new RedisNodeDirectory(calls, keys),
          null);
    }
    // a script on Redis Cluster may only touch one slot: there the events follow the script (docs/webhooks.md)
    OutboxStreams streams = new OutboxStreams(webhooks.streamKeys(), Webhooks.OUTBOX_CAPACITY,
        options.getType() != RedisClientType.CLUSTER);
    return new Backends(new RedisPresenceStore(calls, keys, streams), new RedisNodeDirectory(calls, keys),
        new RedisOutbox(calls, config.nodeId(), webhooks.policy()));
  }
}
