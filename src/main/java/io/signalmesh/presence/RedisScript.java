package io.signalmesh.presence;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script, usually from {@code src/main/resources/presence/}, run by EVALSHA. Its SHA-1 is
 * computed here (it is what SCRIPT LOAD answers). On standalone and Sentinel
 * {@link PipelinedRedis} loads it on each connection ahead of its first call there. When Redis
 * does not know the script all the same (NOSCRIPT: SCRIPT FLUSH, or on Redis Cluster, where it
 * is not loaded ahead: SCRIPT LOAD reaches only one node, not the one that owns the room's slot)
 * the call is repeated once with EVAL, which runs the script on the node that owns the keys and
 * caches it there for the following EVALSHAs.
 */
public final class RedisScript {

  private final String source;
  private final String sha;
  private final boolean idempotent;

  private RedisScript(String source, boolean idempotent) {
    this.source = source;
    this.sha = sha1(source);
    this.idempotent = idempotent;
  }

  /**
   * A script given as text.
   *
   * @param idempotent whether running it twice with the same keys and arguments does no harm, so a
   *     call whose connection was lost before the answer may be sent again
   */
  public static RedisScript of(String source, boolean idempotent) {
    return new RedisScript(source, idempotent);
  }

  /** Reads a script from the class path, e.g. {@code presence/join.lua}; see {@link #of} for {@code idempotent}. */
  static RedisScript fromResource(String resource, boolean idempotent) {
    try (InputStream in = RedisScript.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Lua script " + resource + " is missing from the class path");
      }
      return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8), idempotent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Lua script " + resource, e);
    }
  }

  String sha() {
    return sha;
  }

  String source() {
    return source;
  }

  /** Runs the script; the future fails as the Redis client failed it (no timeout here). */
  Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    Request evalsha = request(Command.EVALSHA, sha, keys, args);
    Future<Response> sent = redis instanceof PipelinedRedis pipelined
        ? pipelined.evalsha(this, evalsha, idempotent)
        : redis.send(evalsha);
    return sent
        .recover(error -> isNoScript(error)
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(error));
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static boolean isNoScript(Throwable error) {
    return error.getMessage() != null && error.getMessage().startsWith("NOSCRIPT");
  }

  private static String sha1(String source) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available", e);
    }
  }
}
