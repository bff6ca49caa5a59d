package io.signalmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The objects one kustomization renders, with the look-ups the tests share. */
final class Manifests {

  static final String APP = "signalmesh";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final List<String> WORKLOADS = List.of("Deployment", "StatefulSet", "DaemonSet");

  final String directory;
  final List<JsonNode> objects;

  Manifests(String directory, List<JsonNode> objects) {
    this.directory = directory;
    this.objects = objects;
  }

  @Override
  public String toString() {
    return directory;
  }

  List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  JsonNode one(String kind, String name) {
    List<JsonNode> found = ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).toList();
    assertThat(found).as(kind + " " + name + " in " + directory).hasSize(1);
    return found.get(0);
  }

  /** Deployments, StatefulSets and DaemonSets. */
  List<JsonNode> workloads() {
    return objects.stream().filter(o -> WORKLOADS.contains(o.path("kind").asText())).toList();
  }

  JsonNode deployment() {
    return one("Deployment", APP);
  }

  JsonNode podSpec() {
    return deployment().path("spec").path("template").path("spec");
  }

  Map<String, String> podLabels() {
    return strings(deployment().path("spec").path("template").path("metadata").path("labels"));
  }

  /** The signalmesh container of the signalmesh Deployment. */
  JsonNode container() {
    for (JsonNode container : podSpec().path("containers")) {
      if (APP.equals(container.path("name").asText())) {
        return container;
      }
    }
    throw new AssertionError("no container " + APP + " in " + directory);
  }

  /** containerPort of the named port of the signalmesh container. */
  int containerPort(String name) {
    for (JsonNode port : container().path("ports")) {
      if (name.equals(port.path("name").asText())) {
        return port.path("containerPort").asInt();
      }
    }
    throw new AssertionError("no port named " + name + " in " + directory);
  }

  /** A port given by number or by name, as the container's port number. */
  int resolvePort(JsonNode port) {
    return port.isInt() ? port.asInt() : containerPort(port.asText());
  }

  /** The data of a ConfigMap or Secret, decoded (Secrets: data and stringData). */
  Map<String, String> data(String kind, String name) {
    JsonNode object = one(kind, name);
    Map<String, String> values = new LinkedHashMap<>();
    object.path("data").fields().forEachRemaining(e -> values.put(e.getKey(), "Secret".equals(kind)
        ? new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8) : e.getValue().asText()));
    object.path("stringData").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
    return values;
  }

  /** Every environment variable name the signalmesh container gets, from env and envFrom. */
  List<String> environmentNames() {
    List<String> names = new ArrayList<>();
    for (JsonNode source : container().path("envFrom")) {
      assertThat(source.path("prefix").isMissingNode()).as("envFrom prefix").isTrue();
      names.addAll(envFromData(source).keySet());
    }
    container().path("env").forEach(e -> names.add(e.path("name").asText()));
    return names;
  }

  private Map<String, String> envFromData(JsonNode source) {
    if (source.has("configMapRef")) {
      return data("ConfigMap", source.path("configMapRef").path("name").asText());
    }
    if (source.has("secretRef")) {
      return data("Secret", source.path("secretRef").path("name").asText());
    }
    throw new AssertionError("unknown envFrom source " + source);
  }

  /**
   * The container's environment as Kubernetes builds it: envFrom sources in order (a later one
   * wins), then env (wins over envFrom), with $(VAR) references to earlier variables expanded.
   *
   * @param fieldValues what the downward API would give, by fieldPath (metadata.name, status.podIP, ...)
   */
  Map<String, String> environment(Map<String, String> fieldValues) {
    Map<String, String> environment = new LinkedHashMap<>();
    for (JsonNode source : container().path("envFrom")) {
      environment.putAll(envFromData(source));
    }
    for (JsonNode variable : container().path("env")) {
      String name = variable.path("name").asText();
      JsonNode from = variable.path("valueFrom");
      String value;
      if (from.has("fieldRef")) {
        String path = from.path("fieldRef").path("fieldPath").asText();
        assertThat(fieldValues).as("downward API field of " + name).containsKey(path);
        value = fieldValues.get(path);
      } else if (from.has("configMapKeyRef")) {
        value = data("ConfigMap", from.path("configMapKeyRef").path("name").asText()).get(from.path("configMapKeyRef").path("key").asText());
      } else if (from.has("secretKeyRef")) {
        value = data("Secret", from.path("secretKeyRef").path("name").asText()).get(from.path("secretKeyRef").path("key").asText());
      } else {
        value = expand(variable.path("value").asText(), environment);
      }
      environment.put(name, value);
    }
    return environment;
  }

  private static String expand(String value, Map<String, String> defined) {
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder expanded = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      // Kubernetes leaves a reference to an undefined variable as it is
      String replacement = defined.containsKey(name) ? defined.get(name) : matcher.group();
      matcher.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
    }
    return matcher.appendTail(expanded).toString();
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> values = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
    return values;
  }

  /** Whether a matchLabels selector selects pods with these labels. */
  static boolean selects(JsonNode matchLabels, Map<String, String> labels) {
    Map<String, String> wanted = strings(matchLabels);
    return !wanted.isEmpty() && labels.entrySet().containsAll(wanted.entrySet());
  }
}
