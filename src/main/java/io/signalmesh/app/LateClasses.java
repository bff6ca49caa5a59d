package io.signalmesh.app;

import java.util.ArrayList;
import java.util.List;

/**
 * Classes a serving node loads only after its rehearsal, loaded before it instead. The JIT
 * compiles a virtual call to an abstract type with a single loaded implementation as a direct
 * call, and throws that code away when a second implementation is loaded. Two such classes came
 * right after the rehearsal and undid its compiled read and flush paths, which the JIT then
 * compiled again during the node's first real clients (docs/benchmarks.md, "Session 16"):
 * <ul>
 *   <li>the lock queue's exclusive node, loaded the first time two threads want one lock (the log
 *       writer's queue, say), where only the condition node was loaded before;
 *   <li>Vert.x's request wrapper, loaded by the first request through a router (the first health
 *       probe), where the rehearsal's WebSocket upgrades never go through one.
 * </ul>
 */
final class LateClasses {

  private static final List<String> NAMES = List.of(
      "java.util.concurrent.locks.AbstractQueuedSynchronizer$ExclusiveNode",
      // the router's wrapper, and with it the wrapper of Vert.x core that it extends
      "io.vertx.ext.web.impl.HttpServerRequestWrapper");

  private LateClasses() {
  }

  /**
   * Loads and initializes them: the JIT checks its assumptions about a class hierarchy when a
   * class is loaded and again when it is linked, and initializing links (none of these has a
   * static initializer that does work).
   *
   * @return the names not found, for a log line: a dependency upgrade may rename one
   */
  static List<String> load() {
    return load(NAMES);
  }

  static List<String> load(List<String> names) {
    List<String> missing = new ArrayList<>();
    ClassLoader loader = LateClasses.class.getClassLoader();
    for (String name : names) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException e) {
        missing.add(name);
      }
    }
    return missing;
  }
}
