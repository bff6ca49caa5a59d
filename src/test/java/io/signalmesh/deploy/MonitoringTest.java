package io.signalmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalmesh.testsupport.RedisServer;
import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.signalmesh.testsupport.Wait;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Grafana dashboard and the alert rules name only series a node really exports: one node
 * with Redis presence gets a little of every kind of traffic (relays, an error, a resume, a
 * Redis outage during a join), then its /metrics is read and every series name and label the
 * queries use is looked up there. The probes and scrape path of the manifests are asked of the
 * same node.
 */
@Timeout(90)
class MonitoringTest {

  private static final Pattern SERIES = Pattern.compile("\\b(?:signalmesh|vertx)_[a-z0-9_]+\\b");
  private static final Pattern SELECTOR = Pattern.compile("\\b((?:signalmesh|vertx)_[a-z0-9_]+)\\{([^}]*)}");
  private static final Pattern EQUALS = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
  /** Labels Prometheus adds to every scraped series. */
  private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static RedisServer redis;
  private static TestNode node;
  private static String metrics;

  @BeforeAll
  static void nodeWithTraffic() throws Exception {
    redis = new RedisServer().start();
    node = TestNode.start("--redis", redis.url());
    try (TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("watched");
      bob.join("watched");
      ada.relay("offer", bob.id(), new JsonObject().put("sdp", "v=0"));
      bob.expect("offer");
      ada.sendText("{not json");
      ada.expectError("bad-json");

      bob.dropConnection();
      try (TestClient again = node.connect("/ws?resume=" + bob.sessionToken())) {
        again.sync();
      }

      redis.stop();
      try (TestClient carol = node.connect()) {
        carol.send(new JsonObject().put("type", "join-room").put("roomId", "while-redis-is-down"));
        carol.expectError("unavailable");
      }
      redis.start();
    }
    metrics = get("/metrics").body();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + path))
        .timeout(TestClient.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The series (with labels) of the scrape, without comments. */
  private static List<String> samples() {
    return metrics.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
  }

  private static Set<String> exportedNames() {
    return samples().stream().map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
  }

  private static java.util.function.Predicate<String> notExported() {
    Set<String> exported = exportedNames();
    return name -> !exported.contains(name);
  }

  /** Every PromQL expression of the dashboard (panels, rows, templating). */
  private static List<String> dashboardQueries() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(Kustomize.repo().resolve("deploy/monitoring/grafana-dashboard.json").toFile());
    List<String> queries = new ArrayList<>();
    collect(dashboard, queries);
    assertThat(queries).isNotEmpty();
    return queries;
  }

  private static void collect(JsonNode node, List<String> queries) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (Set.of("expr", "query", "definition").contains(field.getKey()) && field.getValue().isTextual()) {
        queries.add(field.getValue().asText());
      } else {
        collect(field.getValue(), queries);
      }
    }
    if (node.isArray()) {
      node.forEach(element -> collect(element, queries));
    }
  }

  private static List<String> alertExpressions() throws IOException {
    JsonNode rules = Kustomize.YAML.readTree(Kustomize.repo().resolve("deploy/monitoring/alerts.yaml").toFile());
    List<String> expressions = new ArrayList<>();
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        assertThat(rule.path("alert").asText()).as("alert name").isNotBlank();
        assertThat(rule.path("expr").asText()).as(rule.path("alert").asText()).isNotBlank();
        expressions.add(rule.path("expr").asText());
      }
    }
    assertThat(expressions).isNotEmpty();
    return expressions;
  }

  private static Set<String> seriesNamed(List<String> expressions) {
    Set<String> names = new TreeSet<>();
    for (String expression : expressions) {
      SERIES.matcher(expression).results().forEach(m -> names.add(m.group()));
    }
    return names;
  }

  @Test
  void everySeriesTheDashboardNamesIsExported() throws IOException {
    Set<String> named = seriesNamed(dashboardQueries());

    assertThat(named).contains("signalmesh_connections", "signalmesh_relay_handling_seconds_bucket",
        "signalmesh_redis_failures_total", "signalmesh_reaped_participants_total", "signalmesh_resumes_total");
    assertThat(named).as("series the dashboard names that the node does not export").filteredOn(notExported()).isEmpty();
  }

  @Test
  void everySeriesTheAlertRulesNameIsExported() throws IOException {
    Set<String> named = seriesNamed(alertExpressions());

    assertThat(named).contains("signalmesh_redis_failures_total", "signalmesh_reaped_participants_total");
    assertThat(named).as("series the alert rules name that the node does not export").filteredOn(notExported()).isEmpty();
  }

  @Test
  void everyLabelValueAndGroupingTheQueriesUseExists() throws IOException {
    List<String> expressions = new ArrayList<>(dashboardQueries());
    expressions.addAll(alertExpressions());
    List<String> samples = samples();
    List<String> missing = new ArrayList<>();
    for (String expression : expressions) {
      Matcher selector = SELECTOR.matcher(expression);
      while (selector.find()) {
        String name = selector.group(1);
        Matcher equals = EQUALS.matcher(selector.group(2));
        while (equals.find()) {
          String label = equals.group(1) + "=\"" + equals.group(2) + "\"";
          if (samples.stream().noneMatch(line -> line.startsWith(name + "{") && line.contains(label))) {
            missing.add(name + "{" + label + "} in: " + expression.strip());
          }
        }
      }
      Set<String> names = seriesNamed(List.of(expression));
      Matcher by = BY.matcher(expression);
      while (by.find()) {
        for (String label : by.group(1).split(",")) {
          String trimmed = label.strip();
          if (trimmed.isEmpty() || TARGET_LABELS.contains(trimmed)) {
            continue;
          }
          if (samples.stream().noneMatch(line -> names.contains(line.split("[{ ]", 2)[0]) && line.contains(trimmed + "=\""))) {
            missing.add("label " + trimmed + " on " + names + " in: " + expression.strip());
          }
        }
      }
    }
    assertThat(missing).as("label values and groupings no exported series has").isEmpty();
  }

  @Test
  void signalmeshSeriesAreTheDocumentedOnes() throws IOException {
    String operations = Files.readString(Kustomize.repo().resolve("docs/operations.md"));
    List<String> expressions = new ArrayList<>(dashboardQueries());
    expressions.addAll(alertExpressions());

    // vertx_* are Vert.x's own meters: the scrape checks above hold them to what a node exports
    assertThat(seriesNamed(expressions)).as("signalmesh series missing from docs/operations.md, Metrics")
        .filteredOn(name -> name.startsWith("signalmesh_"))
        .filteredOn(name -> !operations.contains("`" + name.replaceFirst("_(bucket|count|sum)$", "")))
        .isEmpty();
  }

  @Test
  void theTrafficMovedTheCountersTheDashboardShows() {
    assertThat(value("signalmesh_relayed_messages_total{path=\"local\",type=\"offer\"}")).isEqualTo(1.0);
    assertThat(value("signalmesh_errors_total{code=\"bad-json\"}")).isEqualTo(1.0);
    assertThat(value("signalmesh_errors_total{code=\"unavailable\"}")).isGreaterThanOrEqualTo(1.0);
    assertThat(value("signalmesh_resumes_total{from=\"same-node\"}")).isEqualTo(1.0);
    assertThat(value("signalmesh_relay_handling_seconds_count")).isEqualTo(1.0);
    assertThat(samples()).anyMatch(line -> line.startsWith("signalmesh_redis_calls_seconds_count{") && !line.endsWith(" 0.0"));
    assertThat(samples()).anyMatch(line -> line.startsWith("signalmesh_redis_failures_total{") && !line.endsWith(" 0.0"));
  }

  private static double value(String series) {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    assertThat(matcher.find()).as(series).isTrue();
    return Double.parseDouble(matcher.group(1));
  }

  @Test
  void theManifestsProbesAndScrapePathAreServedOnTheManagementPort() throws Exception {
    Manifests dev = Kustomize.render("deploy/k8s/overlays/dev");
    JsonNode container = dev.container();
    Map<String, String> annotations = Manifests.strings(dev.deployment().path("spec").path("template").path("metadata").path("annotations"));

    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      JsonNode httpGet = container.path(probe).path("httpGet");
      assertThat(dev.resolvePort(httpGet.path("port"))).isEqualTo(dev.containerPort("management"));
      String path = httpGet.path("path").asText();
      // readiness comes back once Redis answers again after the outage above
      Wait.until(probe + " " + path + " answers 200", Duration.ofSeconds(15), () -> status(path) == 200);
    }
    assertThat(Integer.parseInt(annotations.get("prometheus.io/port"))).isEqualTo(dev.containerPort("management"));
    HttpResponse<String> scrape = get(annotations.get("prometheus.io/path"));
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).contains("# TYPE signalmesh_connections gauge");
    assertThat(status("/health/nonexistent")).isEqualTo(404);
  }

  private static int status(String path) {
    try {
      return get(path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
