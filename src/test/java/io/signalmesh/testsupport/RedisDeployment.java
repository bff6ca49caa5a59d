package io.signalmesh.testsupport;

/**
 * A Redis a test started, whichever its shape ({@link RedisServer}, {@link RedisClusterServers}):
 * what a test that runs against either needs of it.
 */
public interface RedisDeployment extends AutoCloseable {

  /** The {@code --redis} URL. */
  String url();

  /** Deletes every key (not the script caches). */
  void flushAll();

  /**
   * Runs a command whose key, if any, is {@code args[1]} on the server that holds it; a text
   * reply (or a number, or an error as {@code -ERR ...}) as a String, null for a nil reply.
   */
  String command(String... args);

  @Override
  void close();
}
