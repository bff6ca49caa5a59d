package io.signalmesh.config;

/** A setting with a bad value: start-up stops with a message that names the flag. */
public class ConfigException extends RuntimeException {

  private final String setting;

  public ConfigException(String setting, String problem) {
    super("invalid " + setting + ": " + problem);
    this.setting = setting;
  }

  public String setting() {
    return setting;
  }
}
