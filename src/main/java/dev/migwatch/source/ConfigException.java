package dev.migwatch.source;

import java.util.List;

/** Configuration mistakes, each with a message that names the property and the fix. */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    public ConfigException(List<String> problems) {
        super("Invalid migwatch configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
