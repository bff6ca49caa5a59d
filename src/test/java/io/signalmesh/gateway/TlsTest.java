package io.signalmesh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalmesh.testsupport.TestClient;
import io.signalmesh.testsupport.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With --tls-cert and --tls-key the signaling port serves HTTPS and WSS (browsers allow camera
 * and microphone only on secure origins), with a certificate the test makes.
 */
@Timeout(60)
class TlsTest {

  @TempDir
  static Path dir;
  private static Path cert;
  private static Path key;

  @BeforeAll
  static void makeCertificate() throws Exception {
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
  }

  @Test
  void clientsTalkOverWssAndTheAppIsServedOverHttps() throws Exception {
    try (TestNode node = TestNode.start("--tls-cert", cert.toString(), "--tls-key", key.toString())) {
      HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
      HttpResponse<String> page = https.send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.port() + "/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("<html");
      try (TestClient ada = TestClient.connect(https, "wss://127.0.0.1:" + node.port() + "/ws");
          TestClient bob = TestClient.connect(https, "wss://127.0.0.1:" + node.port() + "/ws")) {
        ada.join("secure");
        bob.join("secure");
        ada.relay("offer", bob.id(), new JsonObject().put("sdp", "over tls"));
        assertThat(bob.expect("offer").getString("sdp")).isEqualTo("over tls");
      }
    }
  }

  @Test
  void aPlainConnectionToTheTlsPortGetsNoApp() throws Exception {
    try (TestNode node = TestNode.start("--tls-cert", cert.toString(), "--tls-key", key.toString())) {
      HttpClient plain = HttpClient.newHttpClient();
      boolean served;
      try {
        served = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/"))
            .timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (java.io.IOException e) {
        served = false;
      }
      assertThat(served).isFalse();
    }
  }

  private static SSLContext trusting(Path pem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      store.setCertificateEntry("signalmesh-test", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
