package io.signalmesh.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * One headless Debian Chromium with a fake camera and microphone, driven by the system
 * chromedriver. Nothing is ever downloaded: the driver and the browser binary are given
 * explicitly, so Selenium Manager is never asked. Each browser gets a fresh profile folder.
 */
final class Browser implements AutoCloseable {

  static final Path ARTIFACTS = Paths.get("target", "e2e-artifacts");
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  /**
   * Selenium warns that it has no DevTools bindings for Chromium 150; the tests use none (the one
   * CDP command goes through chromedriver), so those warnings are noise. Held here: JUL loggers are
   * weakly referenced.
   */
  private static final List<java.util.logging.Logger> QUIET = List.of(
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools"),
      java.util.logging.Logger.getLogger("org.openqa.selenium.chromium"));

  static {
    QUIET.forEach(l -> l.setLevel(Level.SEVERE));
    // Selenium's DriverFinder takes the service's driver file, else this property, and only
    // then asks Selenium Manager (which could download); both are set
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
  }

  private final String name;
  private final Path profile;
  private final ChromeDriver driver;
  /** Browser console entries read so far (reading the log drains it). */
  private final List<LogEntry> console = new ArrayList<>();

  private Browser(String name, Path profile, ChromeDriver driver) {
    this.name = name;
    this.profile = profile;
    this.driver = driver;
  }

  /** Starts a browser; {@code name} labels its screenshots and logs. */
  static Browser start(String name) {
    Path profile;
    try {
      Files.createDirectories(ARTIFACTS);
      profile = Files.createTempDirectory("signalmesh-e2e-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,800",
        "--user-data-dir=" + profile,
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection",
        "--auto-select-desktop-capture-source=Entire screen");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream())
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new Browser(name, profile, driver);
  }

  String name() {
    return name;
  }

  ChromeDriver driver() {
    return driver;
  }

  /**
   * Records every frame the page's WebSockets receive, parsed, in {@code window.__wsFrames}, from
   * the next page load on (a test-side spy injected through the DevTools protocol; the app is
   * unchanged).
   */
  void recordWebSocketFrames() {
    String spy = """
        (() => {
          const Native = window.WebSocket;
          window.__wsFrames = [];
          window.WebSocket = class extends Native {
            constructor(...args) {
              super(...args);
              this.addEventListener('message', (e) => {
                try { window.__wsFrames.push(JSON.parse(e.data)); } catch (err) { /* not JSON */ }
              });
            }
          };
        })();
        """;
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", spy));
  }

  void open(String url) {
    driver.get(url);
  }

  /** Runs a script (a function body: use {@code return}); a returned promise is awaited. */
  Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** Every console entry so far, all levels. */
  List<LogEntry> console() {
    driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
    return List.copyOf(console);
  }

  /** Console entries at SEVERE (console.error, uncaught exceptions, failed loads). */
  List<LogEntry> consoleErrors() {
    return console().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
  }

  /** Saves a PNG of the viewport under target/e2e-artifacts/. */
  Path screenshot(String file) {
    Path target = ARTIFACTS.resolve(file);
    try {
      Files.createDirectories(ARTIFACTS);
      Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  @Override
  public void close() {
    try {
      saveConsole();
    } catch (RuntimeException e) {
      // the browser may be gone already
    }
    try {
      driver.quit();
    } finally {
      deleteQuietly(profile);
    }
  }

  /** Writes every console entry seen to target/e2e-artifacts/console-<name>.log, for diagnosis. */
  private void saveConsole() {
    List<String> lines = console().stream()
        .map(e -> java.time.Instant.ofEpochMilli(e.getTimestamp()) + " " + e.getLevel() + " " + e.getMessage()).toList();
    try {
      Files.write(ARTIFACTS.resolve("console-" + name + ".log"), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
