package io.signalmesh.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * How a test runs the real jar as a node in a JVM of its own ({@link NodeProcess} on loopback,
 * the namespaced node of the netns tests): one place for the JVM's options and for where its
 * output goes.
 */
public final class NodeJar {

  private static final Path JAR = Paths.get("target", "signalmesh.jar");

  private NodeJar() {}

  /** The command line of {@code signalmesh serve <args>}; fails if the jar has not been built. */
  public static List<String> serve(List<String> args) {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: integration tests run after `mvn package`");
    }
    // small heap, serial GC and C1 only: several node JVMs share a test machine
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toString(), "serve"));
    command.addAll(args);
    return command;
  }

  /** {@code target/it-logs/<nodeId>.log}, emptied of an earlier test's output. */
  public static Path freshLog(String nodeId) {
    Path log = Paths.get("target", "it-logs", nodeId + ".log");
    try {
      Files.createDirectories(log.getParent());
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return log;
  }

  /** What a node wrote to {@code log} so far; empty before it wrote anything. */
  public static String logText(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
