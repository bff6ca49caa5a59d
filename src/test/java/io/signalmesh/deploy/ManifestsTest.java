package io.signalmesh.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalmesh.config.ServerConfig;
import io.signalmesh.presence.RedisUrl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.ParameterException;

/**
 * The Kubernetes manifests, rendered with {@code kubectl kustomize}, agree with what the server
 * reads and serves: env names are serve flags, ports, probes and the discovery name line up,
 * and the management port stays inside the namespace.
 */
@Timeout(120)
class ManifestsTest {

  /** What the downward API fills in for one pod. */
  private static final Map<String, String> POD_FIELDS = Map.of(
      "metadata.name", "signalmesh-7d9c6b5f4-x2x7q",
      "metadata.namespace", "ns-under-test",
      "status.podIP", "10.1.2.3");

  static Stream<Manifests> overlays() {
    return Kustomize.OVERLAYS.stream().map(Kustomize::render);
  }

  static Stream<Manifests> everything() {
    return Kustomize.RENDERABLE.stream().map(Kustomize::render);
  }

  /**
   * The environment of a signalmesh pod of this overlay; a Secret still holding the base
   * template's placeholders gets what an operator would put there.
   */
  private static Map<String, String> podEnvironment(Manifests manifests) {
    Map<String, String> environment = new HashMap<>(manifests.environment(POD_FIELDS));
    environment.replaceAll((name, value) -> "REPLACE_ME".equals(value) ? "operator-chosen-" + "x".repeat(32) : value);
    return environment;
  }

  private static ServerConfig serveConfig(Manifests manifests) {
    return ServeFlags.parse(podEnvironment(manifests));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void everySignalmeshVariableIsAServeFlag(Manifests manifests) {
    List<String> names = manifests.environmentNames().stream().filter(n -> n.startsWith("SIGNALMESH_")).toList();

    Set<String> flags = ServeFlags.environmentVariables();
    assertThat(names).isNotEmpty();
    assertThat(names).as("SIGNALMESH_* variables that no serve flag reads (serve would ignore them)")
        .filteredOn(name -> !flags.contains(name)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void theJvmSizesItsThreadsForTwoProcessorsAsThePodHasNoCpuLimit(Manifests manifests) {
    JsonNode resources = manifests.container().path("resources");
    assertThat(resources.path("limits").has("cpu")).as("no CPU limit: a throttled event loop shows up as relay latency").isFalse();
    assertThat(podEnvironment(manifests).get("JAVA_TOOL_OPTIONS"))
        .as("without a CPU limit the JVM counts every core of the host").contains("-XX:ActiveProcessorCount=2");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void thePodEnvironmentIsAConfigServeAcceptsWithTheContainersPorts(Manifests manifests) {
    ServerConfig config = serveConfig(manifests);

    assertThat(config.port()).isEqualTo(manifests.containerPort("http"));
    assertThat(config.managementPort()).isEqualTo(manifests.containerPort("management"));
    assertThat(config.managementHost()).as("probes and Prometheus come from outside the pod").isEqualTo("0.0.0.0");
    assertThat(config.adminKey()).as("a non-loopback management host serves the admin API only with a key").isNotNull();
    assertThat(config.cluster().enabled()).isTrue();
    assertThat(config.cluster().host()).as("cluster host is the pod IP").isEqualTo(POD_FIELDS.get("status.podIP"));
    assertThat(config.cluster().port()).isEqualTo(manifests.containerPort("hazelcast"));
    assertThat(config.cluster().eventBusPort()).isEqualTo(manifests.containerPort("eventbus"));
    assertThat(config.nodeId()).isEqualTo(POD_FIELDS.get("metadata.name"));
    assertThat(config.tls()).as("TLS ends at the Ingress").isNull();
    assertThat(RedisUrl.parse(config.redisUrl())).isNotNull();
  }

  @Test
  void theSecretTemplatesPlaceholdersStopTheServerInsteadOfRunningWithAKnownKey() {
    Manifests production = Kustomize.render("deploy/k8s/overlays/production");
    Map<String, String> secret = production.data("Secret", "signalmesh-secrets");
    assertThat(secret).containsEntry("SIGNALMESH_ADMIN_KEY", "REPLACE_ME").containsEntry("SIGNALMESH_TOKEN_SECRET", "REPLACE_ME");

    assertThatThrownBy(() -> ServeFlags.parse(production.environment(POD_FIELDS)))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--admin-key");
    Map<String, String> withAdminKey = new HashMap<>(production.environment(POD_FIELDS));
    withAdminKey.put("SIGNALMESH_ADMIN_KEY", "x".repeat(32));
    assertThatThrownBy(() -> ServeFlags.parse(withAdminKey))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--token-secret");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void probesAskTheManagementPortForLiveAndReady(Manifests manifests) {
    JsonNode container = manifests.container();
    int management = serveConfig(manifests).managementPort();

    JsonNode readiness = container.path("readinessProbe").path("httpGet");
    JsonNode liveness = container.path("livenessProbe").path("httpGet");
    JsonNode startup = container.path("startupProbe").path("httpGet");
    assertThat(readiness.path("path").asText()).isEqualTo("/health/ready");
    assertThat(liveness.path("path").asText()).as("liveness never depends on Redis").isEqualTo("/health/live");
    assertThat(startup.path("path").asText()).isEqualTo("/health/live");
    for (JsonNode probe : List.of(readiness, liveness, startup)) {
      assertThat(manifests.resolvePort(probe.path("port"))).isEqualTo(management);
      assertThat(probe.path("scheme").asText("HTTP")).isEqualTo("HTTP");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everything")
  void everyContainerHasProbesAndResources(Manifests manifests) {
    assertThat(manifests.workloads()).isNotEmpty();
    for (JsonNode workload : manifests.workloads()) {
      JsonNode spec = workload.path("spec").path("template").path("spec");
      List<JsonNode> containers = new ArrayList<>();
      spec.path("containers").forEach(containers::add);
      spec.path("initContainers").forEach(containers::add);
      for (JsonNode container : containers) {
        String what = manifests + " " + workload.path("metadata").path("name").asText() + "/" + container.path("name").asText();
        assertThat(container.has("readinessProbe")).as(what + " readinessProbe").isTrue();
        assertThat(container.has("livenessProbe")).as(what + " livenessProbe").isTrue();
        JsonNode resources = container.path("resources");
        assertThat(resources.path("requests").has("cpu")).as(what + " cpu request").isTrue();
        assertThat(resources.path("requests").has("memory")).as(what + " memory request").isTrue();
        assertThat(resources.path("limits").has("memory")).as(what + " memory limit").isTrue();
        JsonNode security = container.path("securityContext");
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(what + " allowPrivilegeEscalation").isFalse();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(what + " readOnlyRootFilesystem").isTrue();
        assertThat(security.path("runAsNonRoot").asBoolean() || spec.path("securityContext").path("runAsNonRoot").asBoolean())
            .as(what + " runAsNonRoot").isTrue();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void clusterDnsNamesTheHeadlessServiceThatPublishesStartingPods(Manifests manifests) {
    List<JsonNode> headless = manifests.ofKind("Service").stream()
        .filter(s -> "None".equals(s.path("spec").path("clusterIP").asText()))
        .filter(s -> Manifests.selects(s.path("spec").path("selector"), manifests.podLabels()))
        .toList();
    assertThat(headless).as("one headless Service selects the signalmesh pods").hasSize(1);
    JsonNode service = headless.get(0);
    String name = service.path("metadata").path("name").asText();

    // resolvable from the pod's own namespace, whatever namespace the overlay chose
    assertThat(serveConfig(manifests).cluster().dnsName())
        .isEqualTo(name + "." + POD_FIELDS.get("metadata.namespace") + ".svc.cluster.local");

    assertThat(service.path("spec").path("clusterIP").asText()).isEqualTo("None");
    assertThat(service.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
    assertThat(Manifests.selects(service.path("spec").path("selector"), manifests.podLabels())).isTrue();
    List<Integer> targets = new ArrayList<>();
    service.path("spec").path("ports").forEach(p -> targets.add(manifests.resolvePort(p.path("targetPort"))));
    assertThat(targets).contains(serveConfig(manifests).cluster().port());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void terminationGraceOutlastsThePreStopPauseAndTheDrain(Manifests manifests) {
    long drain = serveConfig(manifests).drainTimeout().toSeconds();
    JsonNode preStop = manifests.container().path("lifecycle").path("preStop");
    long pause = preStop.has("sleep") ? preStop.path("sleep").path("seconds").asLong()
        : Long.parseLong(preStop.path("exec").path("command").get(1).asText());
    assertThat(preStop.path("exec").path("command").path(0).asText("sleep")).isEqualTo("sleep");

    long grace = manifests.podSpec().path("terminationGracePeriodSeconds").asLong();
    // after the drain the node leaves the Hazelcast cluster and exits; serve waits up to 10 s for that
    assertThat(grace).as("terminationGracePeriodSeconds vs preStop " + pause + "s + drain " + drain + "s")
        .isGreaterThanOrEqualTo(pause + drain + 10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void networkPolicyKeepsTheManagementPortInsideTheNamespace(Manifests manifests) {
    int management = manifests.containerPort("management");
    List<JsonNode> policies = manifests.ofKind("NetworkPolicy").stream()
        .filter(p -> Manifests.selects(p.path("spec").path("podSelector").path("matchLabels"), manifests.podLabels()))
        .toList();
    assertThat(policies).as("a NetworkPolicy selects the signalmesh pods").isNotEmpty();

    for (JsonNode policy : policies) {
      assertThat(policy.path("spec").path("policyTypes").toString()).contains("Ingress");
      for (JsonNode rule : policy.path("spec").path("ingress")) {
        if (!allows(manifests, rule, management)) {
          continue;
        }
        assertThat(rule.path("from").size()).as("a rule allowing the management port names its peers: " + rule).isPositive();
        for (JsonNode peer : rule.path("from")) {
          assertThat(peer.has("ipBlock")).as("no ipBlock reaches the management port: " + peer).isFalse();
          if (peer.has("namespaceSelector")) {
            assertThat(Manifests.strings(peer.path("namespaceSelector").path("matchLabels")))
                .as("only the monitoring namespace besides this one: " + peer)
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring"));
            assertThat(peer.path("namespaceSelector").has("matchExpressions")).isFalse();
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void clusterAndEventBusPortsAreOpenOnlyToSignalmeshPods(Manifests manifests) {
    Set<Integer> clusterPorts = Set.of(manifests.containerPort("hazelcast"), manifests.containerPort("eventbus"));
    boolean allowed = false;
    for (JsonNode policy : manifests.ofKind("NetworkPolicy")) {
      if (!Manifests.selects(policy.path("spec").path("podSelector").path("matchLabels"), manifests.podLabels())) {
        continue;
      }
      for (JsonNode rule : policy.path("spec").path("ingress")) {
        if (clusterPorts.stream().noneMatch(port -> allows(manifests, rule, port))) {
          continue;
        }
        allowed = true;
        assertThat(rule.path("from").size()).isPositive();
        for (JsonNode peer : rule.path("from")) {
          assertThat(peer.has("namespaceSelector") || peer.has("ipBlock")).as(peer.toString()).isFalse();
          assertThat(Manifests.selects(peer.path("podSelector").path("matchLabels"), manifests.podLabels()))
              .as("peer selects signalmesh pods only: " + peer).isTrue();
        }
      }
    }
    assertThat(allowed).as("some rule lets the members reach each other").isTrue();
  }

  /** Whether an ingress rule lets traffic reach this container port (no ports: every port). */
  private static boolean allows(Manifests manifests, JsonNode rule, int port) {
    if (!rule.has("ports") || rule.path("ports").isEmpty()) {
      return true;
    }
    for (JsonNode allowed : rule.path("ports")) {
      if (!allowed.has("port") || manifests.resolvePort(allowed.path("port")) == port) {
        return true;
      }
    }
    return false;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void onlyTheSignalingPortIsPublishedThroughServicesAndTheIngress(Manifests manifests) {
    int signaling = serveConfig(manifests).port();
    for (JsonNode service : manifests.ofKind("Service")) {
      JsonNode spec = service.path("spec");
      if ("None".equals(spec.path("clusterIP").asText()) || !Manifests.selects(spec.path("selector"), manifests.podLabels())) {
        continue;
      }
      for (JsonNode port : spec.path("ports")) {
        assertThat(manifests.resolvePort(port.path("targetPort"))).as(service.path("metadata").path("name") + " " + port)
            .isEqualTo(signaling);
      }
    }
    JsonNode ingress = manifests.one("Ingress", "signalmesh");
    for (JsonNode rule : ingress.path("spec").path("rules")) {
      for (JsonNode path : rule.path("http").path("paths")) {
        JsonNode backend = path.path("backend").path("service");
        JsonNode service = manifests.one("Service", backend.path("name").asText());
        assertThat(service.path("spec").path("type").asText("ClusterIP")).isEqualTo("ClusterIP");
        JsonNode servicePort = null;
        for (JsonNode port : service.path("spec").path("ports")) {
          if (port.path("name").asText().equals(backend.path("port").path("name").asText())
              || port.path("port").asInt() == backend.path("port").path("number").asInt(-1)) {
            servicePort = port;
          }
        }
        assertThat(servicePort).as("Ingress backend port " + backend).isNotNull();
        assertThat(manifests.resolvePort(servicePort.path("targetPort"))).isEqualTo(signaling);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void ingressTimeoutsOutlastIdleSignalingConnections(Manifests manifests) {
    ServerConfig config = serveConfig(manifests);
    Map<String, String> annotations = Manifests.strings(manifests.one("Ingress", "signalmesh").path("metadata").path("annotations"));
    long idle = Math.max(config.limits().idleTimeout().toSeconds(), config.limits().pingInterval().toSeconds());

    assertThat(manifests.one("Ingress", "signalmesh").path("spec").path("ingressClassName").asText()).isEqualTo("nginx");
    assertThat(Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout"))).isGreaterThan(idle);
    assertThat(Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout"))).isGreaterThan(idle);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void servicesBudgetAutoscalerAndPoliciesSelectTheDeploymentsPods(Manifests manifests) {
    Map<String, String> labels = manifests.podLabels();
    assertThat(Manifests.selects(manifests.deployment().path("spec").path("selector").path("matchLabels"), labels)).isTrue();
    assertThat(Manifests.selects(manifests.one("Service", "signalmesh").path("spec").path("selector"), labels)).isTrue();
    JsonNode budget = manifests.one("PodDisruptionBudget", "signalmesh");
    assertThat(Manifests.selects(budget.path("spec").path("selector").path("matchLabels"), labels)).isTrue();
    assertThat(budget.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    JsonNode target = manifests.one("HorizontalPodAutoscaler", "signalmesh").path("spec").path("scaleTargetRef");
    assertThat(target.path("kind").asText()).isEqualTo("Deployment");
    assertThat(target.path("name").asText()).isEqualTo("signalmesh");
    for (JsonNode source : manifests.container().path("envFrom")) {
      String kind = source.has("configMapRef") ? "ConfigMap" : "Secret";
      manifests.one(kind, source.path(source.has("configMapRef") ? "configMapRef" : "secretRef").path("name").asText());
    }
    manifests.one("ServiceAccount", manifests.podSpec().path("serviceAccountName").asText());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void podsRunWithoutAServiceAccountTokenAndWithAWritableTmpOnly(Manifests manifests) {
    JsonNode pod = manifests.podSpec();
    JsonNode account = manifests.one("ServiceAccount", pod.path("serviceAccountName").asText());

    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(account.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isPositive();
    assertThat(manifests.container().path("volumeMounts").findValuesAsText("mountPath")).containsExactly("/tmp");
    assertThat(pod.path("affinity").path("podAntiAffinity").isMissingNode()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlays")
  void rollingUpgradesStartANewPodBeforeAnOldOneDrains(Manifests manifests) {
    JsonNode rolling = manifests.deployment().path("spec").path("strategy").path("rollingUpdate");
    assertThat(rolling.path("maxUnavailable").asInt(-1)).isZero();
    assertThat(rolling.path("maxSurge").asInt()).isPositive();
  }

  @Test
  void devBringsItsOwnRedisAndProductionPointsElsewhereWithMoreReplicas() {
    Manifests dev = Kustomize.render("deploy/k8s/overlays/dev");
    Manifests production = Kustomize.render("deploy/k8s/overlays/production");

    String devRedis = serveConfig(dev).redisUrl();
    String redisService = devRedis.replaceFirst("^redis://", "").replaceFirst(":.*$", "");
    dev.one("Service", redisService);
    dev.one("Deployment", redisService);
    assertThat(production.ofKind("Deployment")).hasSize(1);
    assertThat(serveConfig(production).redisUrl()).doesNotContain(redisService).startsWith("redis-sentinel://");

    int devReplicas = dev.deployment().path("spec").path("replicas").asInt();
    int productionReplicas = production.deployment().path("spec").path("replicas").asInt();
    int productionMin = production.one("HorizontalPodAutoscaler", "signalmesh").path("spec").path("minReplicas").asInt();
    assertThat(productionReplicas).isGreaterThan(devReplicas).isGreaterThanOrEqualTo(3);
    assertThat(productionMin).isGreaterThanOrEqualTo(3);
    assertThat(production.one("Ingress", "signalmesh").path("spec").path("tls")).isNotEmpty();
  }

  @Test
  void optionalCoturnSharesSignalmeshsTurnSecret() {
    Manifests coturn = Kustomize.render("deploy/k8s/optional/coturn");
    JsonNode container = coturn.one("DaemonSet", "coturn").path("spec").path("template").path("spec").path("containers").get(0);
    JsonNode secret = container.path("env").get(0).path("valueFrom").path("secretKeyRef");

    assertThat(secret.path("name").asText()).isEqualTo("signalmesh-secrets");
    assertThat(secret.path("key").asText()).isEqualTo("SIGNALMESH_TURN_SECRET");
    assertThat(ServeFlags.environmentVariables()).contains(secret.path("key").asText());
    assertThat(container.path("args").toString()).contains("--use-auth-secret", "--denied-peer-ip=10.0.0.0-10.255.255.255");
  }
}
