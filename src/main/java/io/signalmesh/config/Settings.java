package io.signalmesh.config;

import java.time.Duration;

/** Range checks shared by the config records; each failure names the flag. */
final class Settings {

  private Settings() {}

  static void atLeast(String setting, long value, long min) {
    if (value < min) {
      throw new ConfigException(setting, "must be at least " + min + " (got " + value + ")");
    }
  }

  static void atMost(String setting, long value, long max) {
    if (value > max) {
      throw new ConfigException(setting, "must be at most " + max + " (got " + value + ")");
    }
  }

  static void port(String setting, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new ConfigException(setting, "must be a port number " + (zeroAllowed ? "0" : "1") + "-65535 (got " + port + ")");
    }
  }

  static void positive(String setting, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new ConfigException(setting, "must be a positive duration");
    }
  }

  static void notNegative(String setting, Duration value) {
    if (value == null || value.isNegative()) {
      throw new ConfigException(setting, "must not be negative");
    }
  }

  static void notBlank(String setting, String value) {
    if (value != null && value.isBlank()) {
      throw new ConfigException(setting, "must not be empty");
    }
  }
}
