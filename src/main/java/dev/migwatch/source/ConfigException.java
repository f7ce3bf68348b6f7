package dev.migwatch.source;

/** A configuration mistake, with a message that names the property and the fix. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
