package dev.migwatch;

import dev.migwatch.alert.AlertsConfigParser;
import dev.migwatch.cluster.ClusterSettings;
import dev.migwatch.poll.RetryPolicy;
import dev.migwatch.poll.SourceGuard;
import dev.migwatch.progress.EtaEstimator;
import dev.migwatch.source.ConfigException;
import dev.migwatch.source.Durations;
import dev.migwatch.trends.TrendsSettings;

import java.time.Duration;
import dev.migwatch.source.SourcesConfigParser;
import dev.migwatch.storage.Retention;
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
 * Every {@code migwatch.*} property, read from application.properties, environment variables
 * ({@code MIGWATCH_DB_URL}, {@code MIGWATCH_SOURCES_<NAME>_<KEY>}, {@code MIGWATCH_ALERTS_DASHBOARD_URL}) and -D system properties, in rising precedence, with placeholders such as {{env:ALIBABA_CLOUD_ACCESS_KEY_SECRET}} resolved.
 * A key migwatch does not know is a problem, because a typo would otherwise silently change nothing;
 * problems are collected so that all of them are reported at once.
 */
public record MigwatchSettings(Map<String, String> sourceProperties, Map<String, String> alertProperties, Map<String, String> global,
                               List<String> problems) {
    static final Set<String> GLOBAL_KEYS = Set.of(
            "migwatch.db.url", "migwatch.db.user", "migwatch.db.password",
            "migwatch.journal.dir", "migwatch.journal.replay-interval",
            "migwatch.retention.samples", "migwatch.retention.raw", "migwatch.retention.polls", "migwatch.retention.rollups",
            "migwatch.retention.rollups-5m",
            "migwatch.retention.alerts", "migwatch.retention.interval",
            "migwatch.retry.max-attempts", "migwatch.retry.base-delay", "migwatch.retry.max-delay",
            "migwatch.breaker.failures-to-open", "migwatch.breaker.open-for",
            "migwatch.pause.after-auth-failure", "migwatch.pause.max-after-throttling",
            "migwatch.trends.eta-window", "migwatch.trends.eta-max-samples", "migwatch.trends.eta-min-samples",
            "migwatch.trends.eta-min-span", "migwatch.trends.delay-window", "migwatch.trends.delay-threshold-seconds",
            "migwatch.trends.delay-lookback", "migwatch.trends.stall-after", "migwatch.trends.max-points",
            "migwatch.health.journal-backlog", "migwatch.health.database-timeout", "migwatch.metrics.eta-interval",
            "migwatch.cluster.type", "migwatch.cluster.node-id", "migwatch.cluster.file.root", "migwatch.cluster.file.lock-interval",
            "migwatch.cluster.zookeeper.nodes", "migwatch.cluster.zookeeper.base-path", "migwatch.cluster.session-timeout",
            "migwatch.http.auth", "migwatch.http.user", "migwatch.http.password", "migwatch.http.token",
            "migwatch.http.allow-anonymous", "migwatch.http.open-paths");

    public static MigwatchSettings read(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Properties raw = pc.loadProperties(k -> k.startsWith("migwatch."));
        fromEnvironment(System.getenv()).forEach(raw::put);
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("migwatch.")) {
                raw.put(k, v);
            }
        });
        Map<String, String> sources = new TreeMap<>();
        Map<String, String> alerts = new TreeMap<>();
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
            } else if (key.startsWith(AlertsConfigParser.PREFIX)) {
                // checked, all at once, by AlertsConfigParser
                alerts.put(key, value);
            } else if (GLOBAL_KEYS.contains(key)) {
                global.put(key, value);
            } else {
                problems.add("unknown property '" + key + "': migwatch knows " + new TreeSet<>(GLOBAL_KEYS)
                        + ", migwatch.sources.<name>.<key> and migwatch.alerts.*");
            }
        }
        return new MigwatchSettings(sources, alerts, global, List.copyOf(problems));
    }

    /**
     * migwatch keys given as environment variables, for containers: MIGWATCH_DB_URL is migwatch.db.url and
     * MIGWATCH_SOURCES_PROD_OMS_ACCESS_KEY_ID is migwatch.sources.prod-oms.access-key-id (the source name
     * in lower case, '_' read as '-'). Other MIGWATCH_* variables are not migwatch's keys and are ignored.
     */
    static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> keys = new TreeMap<>();
        String sourcesPrefix = envName(SourcesConfigParser.PREFIX);
        env.forEach((name, value) -> {
            for (String key : GLOBAL_KEYS) {
                if (name.equals(envName(key))) {
                    keys.put(key, value);
                }
            }
            for (String key : AlertsConfigParser.GLOBAL_KEYS) {
                if (name.equals(envName(AlertsConfigParser.PREFIX + key))) {
                    keys.put(AlertsConfigParser.PREFIX + key, value);
                }
            }
            if (name.startsWith(sourcesPrefix)) {
                String rest = name.substring(sourcesPrefix.length());
                SourcesConfigParser.SOURCE_KEYS.stream()
                        .filter(k -> rest.endsWith("_" + envName(k)) && rest.length() > envName(k).length() + 1)
                        .max(java.util.Comparator.comparingInt(String::length))
                        .ifPresent(k -> {
                            String source = rest.substring(0, rest.length() - envName(k).length() - 1);
                            keys.put(SourcesConfigParser.PREFIX + source.toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "." + k, value);
                        });
            }
        });
        return keys;
    }

    private static String envName(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replaceAll("[.-]", "_");
    }

    public RetryPolicy retryPolicy() {
        RetryPolicy d = RetryPolicy.defaults();
        return new RetryPolicy(count("migwatch.retry.max-attempts", d.maxAttempts()),
                duration("migwatch.retry.base-delay", d.baseDelay()), duration("migwatch.retry.max-delay", d.maxDelay()));
    }

    public Retention retention() {
        Retention d = Retention.defaults();
        Retention r = new Retention(duration("migwatch.retention.samples", d.samples()), duration("migwatch.retention.raw", d.raw()),
                duration("migwatch.retention.polls", d.polls()), duration("migwatch.retention.rollups", d.rollups()),
                duration("migwatch.retention.rollups-5m", d.rollups5m()), duration("migwatch.retention.alerts", d.alerts()));
        List<String> problems = new ArrayList<>();
        if (r.rollups5m().compareTo(r.samples()) < 0) {
            problems.add("migwatch.retention.rollups-5m (" + asGiven("migwatch.retention.rollups-5m", "90d") + ") must be at least "
                    + "migwatch.retention.samples (" + asGiven("migwatch.retention.samples", "30d") + "): samples are deleted in favour of their rollups");
        }
        if (r.rollups().compareTo(r.samples()) < 0) {
            problems.add("migwatch.retention.rollups (" + asGiven("migwatch.retention.rollups", "730d") + ") must be at least "
                    + "migwatch.retention.samples (" + asGiven("migwatch.retention.samples", "30d") + "): samples are deleted in favour of their rollups");
        } else if (r.rollups().compareTo(r.rollups5m()) < 0) {
            problems.add("migwatch.retention.rollups (" + asGiven("migwatch.retention.rollups", "730d") + ") must be at least "
                    + "migwatch.retention.rollups-5m (" + asGiven("migwatch.retention.rollups-5m", "90d") + "): the hourly rollups "
                    + "are what /series reads where the 5-minute ones are gone");
        }
        Duration lookback = duration("migwatch.trends.delay-lookback", TrendsSettings.defaults().delayLookback());
        if (r.rollups5m().compareTo(lookback) < 0) {
            problems.add("migwatch.retention.rollups-5m (" + asGiven("migwatch.retention.rollups-5m", "90d") + ") must be at least "
                    + "migwatch.trends.delay-lookback (" + asGiven("migwatch.trends.delay-lookback", "24h") + "): the task list reads "
                    + "how long a delay has been above its threshold from the 5-minute rollups");
        }
        Duration window = duration("migwatch.trends.delay-window", TrendsSettings.defaults().delayWindow());
        if (r.samples().compareTo(window) < 0) {
            // the list's delay figures are taken over the window's samples, and the writer keeps them from the samples too
            problems.add("migwatch.retention.samples (" + asGiven("migwatch.retention.samples", "30d")
                    + ") must be at least migwatch.trends.delay-window (" + asGiven("migwatch.trends.delay-window", "30m")
                    + "): the task list's delay figures are taken over the samples of that window");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return r;
    }

    /** Checked here so that a bad value is reported with the others; the maintenance route reads the raw property. */
    public Duration retentionInterval() {
        return duration("migwatch.retention.interval", Duration.ofMinutes(1));
    }

    public ClusterSettings clusterSettings() {
        return ClusterSettings.parse(global, System.getenv());
    }

    public SourceGuard.Settings guardSettings() {
        SourceGuard.Settings d = SourceGuard.Settings.defaults();
        return new SourceGuard.Settings(count("migwatch.breaker.failures-to-open", d.failuresToOpen()),
                duration("migwatch.breaker.open-for", d.openFor()),
                duration("migwatch.pause.after-auth-failure", d.authPause()),
                duration("migwatch.pause.max-after-throttling", d.maxThrottlePause()));
    }

    /** Checked here so that a bad value is reported with the others; the replay route reads the raw property. */
    public Duration journalReplayInterval() {
        return duration("migwatch.journal.replay-interval", Duration.ofSeconds(5));
    }

    public TrendsSettings trendsSettings() {
        TrendsSettings d = TrendsSettings.defaults();
        EtaEstimator.Settings e = d.eta();
        return new TrendsSettings(
                new EtaEstimator.Settings(duration("migwatch.trends.eta-window", e.window()),
                        count("migwatch.trends.eta-max-samples", e.maxSamples()),
                        count("migwatch.trends.eta-min-samples", e.minSamples()),
                        duration("migwatch.trends.eta-min-span", e.minSpan())),
                duration("migwatch.trends.delay-window", d.delayWindow()),
                count("migwatch.trends.delay-threshold-seconds", (int) d.delayThresholdSeconds()),
                duration("migwatch.trends.delay-lookback", d.delayLookback()),
                duration("migwatch.trends.stall-after", d.stallAfter()),
                count("migwatch.trends.max-points", d.maxPoints()));
    }

    /** Readiness: the most snapshots that may wait in the journal (JournalHealthCheck). */
    public int healthJournalBacklog() {
        String v = global.get("migwatch.health.journal-backlog");
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("migwatch.health.journal-backlog '" + v + "' is not a whole number of at least 0");
    }

    /** Readiness: how long a health request waits for the history database's answer (DatabaseHealthCheck). */
    public Duration healthDatabaseTimeout() {
        return duration("migwatch.health.database-timeout", Duration.ofSeconds(2));
    }

    /** Checked here so that a bad value is reported with the others; the metrics ETA route reads the raw property. */
    public Duration metricsEtaInterval() {
        return duration("migwatch.metrics.eta-interval", Duration.ofMinutes(1));
    }

    private int count(String key, int dflt) {
        String v = global.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key + " '" + v + "' is not a whole number of at least 1");
    }

    /** A duration as the user wrote it (not Duration's PT10M), or its default as the README gives it. */
    private String asGiven(String key, String dflt) {
        String v = global.get(key);
        return v == null ? dflt + ", the default" : v.trim();
    }

    private Duration duration(String key, Duration dflt) {
        String v = global.get(key);
        if (v == null) {
            return dflt;
        }
        Duration d = Durations.parse(v);
        if (d == null) {
            throw new ConfigException(key + " '" + v + "' is not a duration: write it like 30s, 5m, 1h or 500ms");
        }
        return d;
    }

    public String get(String key, String defaultValue) {
        String v = global.get(key);
        return v == null || v.isBlank() ? defaultValue : v;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
