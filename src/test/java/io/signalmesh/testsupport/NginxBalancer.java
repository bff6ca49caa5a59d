package io.signalmesh.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real nginx (Debian's package) in front of some nodes: round robin, WebSocket upgrade, on a
 * free loopback port, with its config, pid and logs in a temporary folder. No sticky sessions.
 */
public final class NginxBalancer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final Process process;

  private NginxBalancer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  public static NginxBalancer start(List<Integer> backendPorts) {
    return startFor(backendPorts.stream().map(p -> "127.0.0.1:" + p).toList());
  }

  /** In front of backends given as {@code host:port} (nodes in test network namespaces). */
  public static NginxBalancer startFor(List<String> backends) {
    int port = NodeProcess.freePort();
    try {
      Path dir = Files.createTempDirectory("nginx-");
      Files.createDirectories(dir.resolve("logs"));
      String upstreams = backends.stream().map(b -> "    server " + b + ";")
          .collect(Collectors.joining("\n"));
      Files.writeString(dir.resolve("nginx.conf"), """
          worker_processes 1;
          pid %1$s/nginx.pid;
          error_log %1$s/logs/error.log warn;
          events { worker_connections 1024; }
          http {
            access_log off;
            client_body_temp_path %1$s/body;
            proxy_temp_path %1$s/proxy;
            fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi;
            scgi_temp_path %1$s/scgi;
            map $http_upgrade $connection_upgrade { default upgrade; '' close; }
            upstream signalmesh {
          %2$s
            }
            server {
              listen 127.0.0.1:%3$d;
              location / {
                proxy_pass http://signalmesh;
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection $connection_upgrade;
                proxy_set_header Host $host;
                proxy_read_timeout 3600s;
                proxy_next_upstream error timeout http_502 http_503;
              }
            }
          }
          """.formatted(dir, upstreams, port));
      Process process = new ProcessBuilder(nginxBinary(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
          "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
      NginxBalancer balancer = new NginxBalancer(dir, port, process);
      Wait.until("nginx to listen on " + port, Duration.ofSeconds(15), balancer::listening);
      return balancer;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start nginx", e);
    }
  }

  public int port() {
    return port;
  }

  public TestClient connect() {
    return TestClient.connect("ws://127.0.0.1:" + port + "/ws");
  }

  public TestClient resume(String sessionToken) {
    return TestClient.connect("ws://127.0.0.1:" + port + "/ws?resume=" + sessionToken);
  }

  private boolean listening() {
    if (!process.isAlive()) {
      throw new IllegalStateException("nginx exited; see " + dir.resolve("logs"));
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String nginxBinary() {
    return Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
