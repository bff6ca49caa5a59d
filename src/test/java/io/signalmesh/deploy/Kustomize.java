package io.signalmesh.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize} (a separate process with a time limit)
 * and parses what it prints. Each directory is rendered once per test JVM.
 */
final class Kustomize {

  /** Everything that renders: the overlays and the optional parts. */
  static final List<String> RENDERABLE = List.of("deploy/k8s/overlays/dev", "deploy/k8s/overlays/production",
      "deploy/k8s/optional/coturn");
  static final List<String> OVERLAYS = List.of("deploy/k8s/overlays/dev", "deploy/k8s/overlays/production");

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String KUBECTL = System.getenv().getOrDefault("KUBECTL", "kubectl");
  private static final long TIME_LIMIT_SECONDS = 60;
  private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

  private Kustomize() {}

  /** The repository root (Maven runs tests in the project's base directory). */
  static Path repo() {
    Path here = Path.of("").toAbsolutePath();
    if (!Files.exists(here.resolve("pom.xml"))) {
      throw new IllegalStateException("not in the project directory: " + here);
    }
    return here;
  }

  static Manifests render(String directory) {
    return RENDERED.computeIfAbsent(directory, Kustomize::run);
  }

  private static Manifests run(String directory) {
    Path out;
    Path err;
    try {
      out = Files.createTempFile("kustomize-", ".yaml");
      err = Files.createTempFile("kustomize-", ".err");
      Process process = new ProcessBuilder(KUBECTL, "kustomize", directory)
          .directory(repo().toFile())
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      if (!process.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl kustomize " + directory + " took longer than " + TIME_LIMIT_SECONDS + "s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("kubectl kustomize " + directory + " failed (" + process.exitValue() + "): "
            + Files.readString(err, StandardCharsets.UTF_8));
      }
      try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out.toFile())) {
        List<JsonNode> objects = documents.readAll().stream().filter(node -> node != null && !node.isNull()).toList();
        return new Manifests(directory, objects);
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
