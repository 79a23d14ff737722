package dev.herald.config;

/** A setting that Herald cannot start with; the message names the setting and what it accepts. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
