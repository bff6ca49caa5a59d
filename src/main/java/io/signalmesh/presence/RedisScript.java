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
 * A Lua script from {@code src/main/resources/presence/}, run by EVALSHA. Its SHA-1 is computed
 * here (it is what SCRIPT LOAD answers), so no load is needed before the first call. When Redis
 * does not know the script (NOSCRIPT: it restarted empty, SCRIPT FLUSH, a new cluster node) the
 * call is repeated once with EVAL, which runs the script on the node that owns the keys and caches
 * it there for the following EVALSHAs. SCRIPT LOAD is not used for that: on a cluster it reaches
 * only one node, not the one that owns the room's slot.
 */
final class RedisScript {

  private final String source;
  private final String sha;

  private RedisScript(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /** Reads a script from the class path, e.g. {@code presence/join.lua}. */
  static RedisScript fromResource(String resource) {
    try (InputStream in = RedisScript.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Lua script " + resource + " is missing from the class path");
      }
      return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Lua script " + resource, e);
    }
  }

  String sha() {
    return sha;
  }

  /** Runs the script; the future fails as the Redis client failed it (no timeout here). */
  Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args))
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
