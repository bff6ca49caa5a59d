package io.signalmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/Dockerfile, read as text (Docker does not run on the build machines, so the image
 * itself is not built here): its stages, user, ports and entrypoint agree with the manifests.
 */
@Timeout(120)
class DockerfileTest {

  private static List<Instruction> instructions;

  record Instruction(String keyword, String arguments) {}

  @BeforeAll
  static void read() throws IOException {
    String text = Files.readString(Kustomize.repo().resolve("deploy/Dockerfile"));
    // join continuation lines, drop comments
    String joined = text.replaceAll("(?m)^\\s*#.*\\n", "").replaceAll("\\\\\\n", " ");
    instructions = new ArrayList<>();
    for (String line : joined.split("\\n")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty()) {
        String[] parts = trimmed.split("\\s+", 2);
        instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : ""));
      }
    }
  }

  private static List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The instructions of the last stage (the image that runs). */
  private static List<Instruction> runtimeStage() {
    int last = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).keyword().equals("FROM")) {
        last = i;
      }
    }
    return instructions.subList(last, instructions.size());
  }

  @Test
  void buildsWithMavenOnJava17AndRunsOnAJava17Jre() {
    List<Instruction> stages = all("FROM");
    assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
    Matcher build = Pattern.compile("^(\\S*maven\\S*17\\S*)\\s+AS\\s+(\\S+)$", Pattern.CASE_INSENSITIVE)
        .matcher(stages.get(0).arguments());
    assertThat(build.matches()).as("first stage: a Maven image on Java 17, named: " + stages.get(0)).isTrue();
    assertThat(build.group(1)).contains("temurin");
    String runtime = stages.get(stages.size() - 1).arguments().split("\\s+")[0];
    assertThat(runtime).contains("17").containsIgnoringCase("jre");

    String buildStage = build.group(2);
    List<Instruction> copies = runtimeStage().stream().filter(i -> i.keyword().equals("COPY")).toList();
    assertThat(copies).anyMatch(c -> c.arguments().contains("--from=" + buildStage)
        && c.arguments().contains("target/signalmesh.jar") && c.arguments().endsWith("/app/signalmesh.jar"));
    assertThat(all("RUN")).anyMatch(r -> r.arguments().contains("mvn") && r.arguments().contains("package")
        && r.arguments().contains("-DskipTests"));
  }

  @Test
  void theBuildStageCopiesEveryFolderThePomPackages() throws IOException {
    String pom = Files.readString(Kustomize.repo().resolve("pom.xml"));
    Set<String> folders = new TreeSet<>(Set.of("src"));
    Pattern.compile("<directory>([^<]+)</directory>").matcher(pom).results()
        .map(m -> m.group(1).strip().split("/")[0]).forEach(folders::add);
    Set<String> copied = all("COPY").stream().filter(c -> !c.arguments().contains("--from="))
        .map(c -> c.arguments().split("\\s+")[0]).collect(Collectors.toSet());

    assertThat(copied).contains("pom.xml").containsAll(folders);
  }

  @Test
  void runsAsTheNonRootUserTheDeploymentExpects() {
    List<Instruction> users = runtimeStage().stream().filter(i -> i.keyword().equals("USER")).toList();
    assertThat(users).isNotEmpty();
    String user = users.get(users.size() - 1).arguments().split(":")[0];

    assertThat(user).matches("\\d+").isNotEqualTo("0");
    for (String overlay : Kustomize.OVERLAYS) {
      Manifests manifests = Kustomize.render(overlay);
      assertThat(manifests.podSpec().path("securityContext").path("runAsUser").asText()).as(overlay).isEqualTo(user);
    }
  }

  @Test
  void exposesExactlyTheContainerPortsOfTheManifests() {
    Set<Integer> exposed = all("EXPOSE").stream().flatMap(e -> List.of(e.arguments().split("\\s+")).stream())
        .map(p -> Integer.parseInt(p.replaceFirst("/tcp$", ""))).collect(Collectors.toCollection(TreeSet::new));
    for (String overlay : Kustomize.OVERLAYS) {
      Set<Integer> ports = new TreeSet<>();
      Kustomize.render(overlay).container().path("ports").forEach(p -> ports.add(p.path("containerPort").asInt()));
      assertThat(exposed).as(overlay).isEqualTo(ports);
    }
  }

  @Test
  void theEntrypointServesWithAContainerAwareHeapAndTheManifestsKeepIt() throws IOException {
    List<String> arguments = entrypoint();

    assertThat(arguments.get(0)).isEqualTo("java");
    assertThat(arguments).anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="));
    assertThat(arguments).noneMatch(a -> a.startsWith("-Xmx"));
    assertThat(arguments.subList(arguments.size() - 3, arguments.size())).containsExactly("-jar", "/app/signalmesh.jar", "serve");
    for (String overlay : Kustomize.OVERLAYS) {
      JsonNode container = Kustomize.render(overlay).container();
      assertThat(container.has("command") || container.has("args")).as(overlay + " overrides the entrypoint").isFalse();
    }
  }

  @Test
  void theEntrypointNamesG1WhichTheJvmWouldNotChooseInAPodOfUnderTwoGigabytes() throws IOException {
    // the JVM picks the serial collector below 2 CPUs or about 1.8 GB: every pod of the manifests
    assertThat(entrypoint()).contains("-XX:+UseG1GC").noneMatch(a -> a.matches("-XX:\\+Use(Serial|Parallel|Z|Shenandoah)GC"));
  }

  /** The runtime stage's one ENTRYPOINT, in exec form: java is PID 1 and gets SIGTERM itself, which starts the drain. */
  private static List<String> entrypoint() throws IOException {
    List<Instruction> entrypoints = runtimeStage().stream().filter(i -> i.keyword().equals("ENTRYPOINT")).toList();
    assertThat(entrypoints).hasSize(1);
    JsonNode command = new ObjectMapper().readTree(entrypoints.get(0).arguments());
    assertThat(command.isArray()).as("exec form").isTrue();
    List<String> arguments = new ArrayList<>();
    command.forEach(a -> arguments.add(a.asText()));
    return arguments;
  }
}
