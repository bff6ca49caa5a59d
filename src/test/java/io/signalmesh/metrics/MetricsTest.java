package io.signalmesh.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /metrics on the management port, in Prometheus format, moves with the traffic. */
@Timeout(30)
class MetricsTest {

  @Test
  void countersMoveWithRelaysErrorsAndSessionsAndGaugesShowWhatTheNodeHolds() throws Exception {
    try (TestNode node = TestNode.start(); TestClient ada = node.connect(); TestClient bob = node.connect()) {
      ada.join("metered");
      bob.join("metered");
      ada.relay("offer", bob.id(), new JsonObject().put("sdp", "x"));
      bob.expect("offer");
      ada.relay("ice-candidate", bob.id(), new JsonObject().put("candidate", "c"));
      bob.expect("ice-candidate");
      ada.sendText("{not json");
      ada.expectError("bad-json");

      String metrics = scrape(node);
      assertThat(value(metrics, "signalmesh_relayed_messages_total{path=\"local\",type=\"offer\"}")).isEqualTo(1.0);
      assertThat(value(metrics, "signalmesh_relayed_messages_total{path=\"local\",type=\"ice-candidate\"}")).isEqualTo(1.0);
      assertThat(value(metrics, "signalmesh_errors_total{code=\"bad-json\"}")).isEqualTo(1.0);
      assertThat(value(metrics, "signalmesh_sessions_started_total")).isEqualTo(2.0);
      assertThat(value(metrics, "signalmesh_connections")).isEqualTo(2.0);
      assertThat(value(metrics, "signalmesh_rooms")).isEqualTo(1.0);
      assertThat(value(metrics, "signalmesh_relay_handling_seconds_count")).isEqualTo(2.0);
      assertThat(metrics).contains("vertx_http_server_active_ws_connections");
      assertThat(value(metrics, "signalmesh_ready")).isEqualTo(1.0);
      assertThat(value(metrics, "signalmesh_draining")).isEqualTo(0.0);
      assertThat(metrics).contains("jvm_gc_live_data_size_bytes").contains("jvm_memory_used_bytes").contains("process_cpu_usage");
    }
  }

  private static String scrape(TestNode node) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static double value(String metrics, String series) {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    assertThat(matcher.find()).as("series " + series + " in\n" + metrics.lines().filter(l -> l.startsWith("signalmesh")).toList()).isTrue();
    return Double.parseDouble(matcher.group(1));
  }
}
