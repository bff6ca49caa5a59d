package io.signalmesh.testsupport.netns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs system commands ({@code ip}, {@code nft}) with a deadline: a command that hangs is
 * killed and reported, never waited on forever.
 */
final class Commands {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private Commands() {}

  /** Runs the command and returns its output; fails if it exits non-zero or outlives the timeout. */
  static String run(List<String> command) {
    return run(command, null, DEFAULT_TIMEOUT);
  }

  /** Runs the command with {@code input} on its stdin (null: none). */
  static String run(List<String> command, String input, Duration timeout) {
    Result result = attempt(command, input, timeout);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("`" + String.join(" ", command) + "` exited with " + result.exitCode()
          + ": " + result.output().strip());
    }
    return result.output();
  }

  /** Runs the command and returns whatever it did, for cleanup that tolerates failures. */
  static Result attempt(List<String> command, String input, Duration timeout) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run `" + String.join(" ", command) + "`", e);
    }
    try (OutputStream stdin = process.getOutputStream()) {
      if (input != null) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the command did not read its input; its exit code says what happened
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(process.getInputStream(), output), "command-output");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within " + timeout);
      }
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while running `" + String.join(" ", command) + "`", e);
    }
    synchronized (output) {
      return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8));
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buffer = new byte[8192];
    try (in) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        synchronized (out) {
          out.write(buffer, 0, read);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  record Result(int exitCode, String output) {}
}
