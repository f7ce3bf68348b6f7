package dev.migwatch;

import dev.migwatch.source.ConfigException;
import dev.migwatch.source.SourcesConfigParser;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every {@code migwatch.*} property, read from application.properties, -D system properties and
 * environment overrides, with placeholders such as {{env:ALIBABA_CLOUD_ACCESS_KEY_SECRET}} resolved.
 * A key migwatch does not know is an error, because a typo would otherwise silently change nothing.
 */
public record MigwatchSettings(Map<String, String> sourceProperties, Map<String, String> global) {
    static final Set<String> GLOBAL_KEYS = Set.of(
            "migwatch.db.url", "migwatch.db.user", "migwatch.db.password", "migwatch.demo",
            "migwatch.journal.dir", "migwatch.journal.replay-interval");

    public static MigwatchSettings read(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Properties raw = pc.loadProperties(k -> k.startsWith("migwatch."));
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("migwatch.")) {
                raw.put(k, v);
            }
        });
        Map<String, String> sources = new TreeMap<>();
        Map<String, String> global = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(raw.stringPropertyNames())) {
            String value;
            try {
                // resolveProperty applies -D and environment-variable overrides and nested placeholders
                value = pc.resolveProperty(key).orElse(raw.getProperty(key));
                value = context.resolvePropertyPlaceholders(value);
            } catch (RuntimeException e) {
                problems.add(key + " could not be resolved (" + rootMessage(e) + "): set the environment variable or property it refers to");
                continue;
            }
            if (key.startsWith(SourcesConfigParser.PREFIX)) {
                sources.put(key, value);
            } else if (GLOBAL_KEYS.contains(key)) {
                global.put(key, value);
            } else {
                problems.add("unknown property '" + key + "': migwatch knows " + new TreeSet<>(GLOBAL_KEYS)
                        + " and migwatch.sources.<name>.<key>");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("Invalid migwatch configuration:\n  - " + String.join("\n  - ", problems));
        }
        return new MigwatchSettings(sources, global);
    }

    public String get(String key, String defaultValue) {
        String v = global.get(key);
        return v == null || v.isBlank() ? defaultValue : v;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
