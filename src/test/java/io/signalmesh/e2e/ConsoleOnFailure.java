package io.signalmesh.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.openqa.selenium.logging.LogEntry;

/**
 * Attaches what each browser logged to its console during a failed test to the failure, so that a
 * browser test failing once in CI can be diagnosed from its report: the last {@value #ATTACHED}
 * lines per browser as a suppressed exception, and the whole log in
 * {@code target/e2e-artifacts/<class>.<test>-console-<browser>.log}. Register it with
 * {@code @RegisterExtension}, giving the test's browsers.
 */
final class ConsoleOnFailure implements BeforeEachCallback, TestExecutionExceptionHandler,
    LifecycleMethodExecutionExceptionHandler {

  static final int ATTACHED = 200;

  private final Supplier<List<Browser>> browsers;
  /** Console entries each browser had logged when the current test started. */
  private final Map<String, Integer> marks = new HashMap<>();

  ConsoleOnFailure(Supplier<List<Browser>> browsers) {
    this.browsers = browsers;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    marks.clear();
    for (Browser b : started()) {
      marks.put(b.name(), readConsole(b).size());
    }
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw attach(context, failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw attach(context, failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw attach(context, failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw attach(context, failure);
  }

  private Throwable attach(ExtensionContext context, Throwable failure) {
    String test = context.getRequiredTestClass().getSimpleName() + "." + context.getDisplayName().replaceAll("[^A-Za-z0-9_.-]", "");
    for (Browser b : started()) {
      List<LogEntry> all = readConsole(b);
      List<String> lines = all.subList(Math.min(marks.getOrDefault(b.name(), 0), all.size()), all.size()).stream()
          .map(e -> Instant.ofEpochMilli(e.getTimestamp()) + " " + e.getLevel() + " " + e.getMessage()).toList();
      Path file = Browser.ARTIFACTS.resolve(test + "-console-" + b.name() + ".log");
      try {
        Files.createDirectories(Browser.ARTIFACTS);
        Files.write(file, lines);
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
      failure.addSuppressed(new BrowserConsole(b.name(), file, lines));
    }
    return failure;
  }

  private List<Browser> started() {
    List<Browser> list = browsers.get();
    return list == null ? List.of() : list;
  }

  /** The browser's console so far; empty when the browser cannot answer (crashed, closed). */
  private static List<LogEntry> readConsole(Browser b) {
    try {
      return b.console();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /** A browser's console during the failed test, carried in the failure's report. */
  static final class BrowserConsole extends RuntimeException {
    BrowserConsole(String browser, Path file, List<String> lines) {
      super("console of " + browser + " during the test (" + lines.size() + " entries, all in " + file + "):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - ATTACHED), lines.size())));
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // the log is the point, not where it was attached
    }
  }
}
