package dev.migwatch.source;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code migwatch.sources.<name>.<key>} properties into {@link SourceConfig}s and rejects
 * anything it does not understand, naming the property and the fix, before any polling starts.
 */
public final class SourcesConfigParser {
    public static final String PREFIX = "migwatch.sources.";
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    private static final Pattern SOURCE_KEY = Pattern.compile("migwatch\\.sources\\.([A-Za-z0-9_-]+)\\.([a-z.-]+)");
    /** Discovery: tasks = * (alone or among ids). */
    public static final String ALL_TASKS = "*";
    private static final List<String> DISCOVERY_KEYS = List.of("discovery-interval", "discover.status", "discover.name", "discover.type",
            "discover.labels");
    /** The keys of a source, as in migwatch.sources.<name>.<key>. */
    public static final Set<String> SOURCE_KEYS = Set.of("provider", "endpoint", "region", "tasks", "interval",
            "access-key-id", "access-key-secret", "security-token", "signature-method",
            "public-key", "private-key", "project-id", "connect-timeout", "read-timeout",
            "discovery-interval", "discover.status", "discover.name", "discover.type", "discover.labels",
            "max-requests-per-second", "idle-interval");

    private SourcesConfigParser() {
    }

    /**
     * @param props all properties whose key starts with {@code migwatch.sources.}
     * @return the sources by name, in name order
     * @throws ConfigException listing every problem found
     */
    public static List<SourceConfig> parse(Map<String, String> props) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> byName = new TreeMap<>();
        for (var e : new TreeMap<>(props).entrySet()) {
            Matcher m = SOURCE_KEY.matcher(e.getKey());
            if (!m.matches() || !SOURCE_KEYS.contains(m.group(2))) {
                problems.add("unknown property '" + e.getKey() + "': a source is configured with migwatch.sources.<name>.<key>, "
                        + "where <key> is one of " + new TreeSet<>(SOURCE_KEYS));
                continue;
            }
            byName.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(m.group(2), e.getValue().trim());
        }
        List<SourceConfig> sources = new ArrayList<>();
        byName.forEach((name, keys) -> {
            SourceConfig s = source(name, keys, problems);
            if (s != null) {
                sources.add(s);
            }
        });
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return sources;
    }

    private static SourceConfig source(String name, Map<String, String> keys, List<String> problems) {
        String p = PREFIX + name + ".";
        int before = problems.size();
        Provider provider = Provider.parse(keys.get("provider"));
        if (provider == null) {
            problems.add(p + "provider is " + (keys.containsKey("provider") ? "'" + keys.get("provider") + "', which is not known" : "missing")
                    + ": set it to oms, dts or udts");
            return null;
        }
        String region = blankToNull(keys.get("region"));
        URI endpoint = null;
        if (keys.containsKey("endpoint")) {
            try {
                endpoint = URI.create(keys.get("endpoint"));
                if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                problems.add(p + "endpoint '" + keys.get("endpoint") + "' is not an http(s) URL: write it like https://oceanbasepro.cn-hangzhou.aliyuncs.com");
            }
        } else {
            endpoint = provider.defaultEndpoint(region);
            if (endpoint == null) {
                problems.add(p + "endpoint is missing and there is no " + p + "region to derive it from: set one of them");
            }
        }
        if (provider == Provider.DTS && region == null) {
            problems.add(p + "region is missing: DTS's ListJobStep needs RegionId, e.g. " + p + "region = cn-hangzhou");
        }
        List<String> given = keys.containsKey("tasks")
                ? Arrays.stream(keys.get("tasks").split(",")).map(String::trim).filter(t -> !t.isEmpty()).distinct().toList()
                : List.of();
        if (given.isEmpty()) {
            problems.add(p + "tasks is missing or empty: list the task ids to watch, comma-separated, or * to watch all the account's tasks");
        }
        boolean discover = given.contains(ALL_TASKS);
        List<String> tasks = given.stream().filter(t -> !t.equals(ALL_TASKS)).toList();
        Duration interval = duration(keys, "interval", DEFAULT_INTERVAL, p, problems);
        Duration idleInterval = duration(keys, "idle-interval", SourceConfig.DEFAULT_IDLE_INTERVAL, p, problems);
        double maxRequestsPerSecond = rate(keys, provider, p, problems);
        Discovery discovery = discover ? discovery(keys, provider, p, problems) : null;
        if (!discover) {
            for (String k : DISCOVERY_KEYS) {
                if (keys.containsKey(k)) {
                    problems.add(p + k + " is set but " + p + "tasks has no *: add * to tasks to watch the account's tasks");
                }
            }
        }
        Duration connectTimeout = duration(keys, "connect-timeout", DEFAULT_CONNECT_TIMEOUT, p, problems);
        Duration readTimeout = duration(keys, "read-timeout", DEFAULT_READ_TIMEOUT, p, problems);

        String keyId;
        Secret secret;
        Secret token = null;
        SignatureMethod method = SignatureMethod.ACS3_HMAC_SHA256;
        if (provider == Provider.UDTS) {
            keyId = required(keys, "public-key", p, problems, "the UCloud API public key");
            secret = Secret.of(required(keys, "private-key", p, problems, "the UCloud API private key"));
            for (String alibabaOnly : List.of("access-key-id", "access-key-secret", "security-token", "signature-method")) {
                if (keys.containsKey(alibabaOnly)) {
                    problems.add(p + alibabaOnly + " is for Alibaba Cloud sources: a udts source uses public-key and private-key");
                }
            }
        } else {
            keyId = required(keys, "access-key-id", p, problems, "the AccessKey ID, e.g. {{env:ALIBABA_CLOUD_ACCESS_KEY_ID}}");
            secret = Secret.of(required(keys, "access-key-secret", p, problems,
                    "the AccessKey secret, e.g. {{env:ALIBABA_CLOUD_ACCESS_KEY_SECRET}}"));
            token = Secret.of(keys.get("security-token"));
            if (keys.containsKey("signature-method")) {
                method = SignatureMethod.parse(keys.get("signature-method"));
                if (method == null) {
                    problems.add(p + "signature-method '" + keys.get("signature-method") + "' is not known: use ACS3-HMAC-SHA256 (default) or HMAC-SHA1");
                }
            }
            for (String ucloudOnly : List.of("public-key", "private-key", "project-id")) {
                if (keys.containsKey(ucloudOnly)) {
                    problems.add(p + ucloudOnly + " is for UCloud sources: an " + provider.id() + " source uses access-key-id and access-key-secret");
                }
            }
        }
        if (problems.size() > before) {
            return null;
        }
        return new SourceConfig(name, provider, endpoint, region, tasks, interval, keyId, secret, token, method,
                blankToNull(keys.get("project-id")), connectTimeout, readTimeout, discovery, maxRequestsPerSecond, idleInterval);
    }

    private static double rate(Map<String, String> keys, Provider provider, String p, List<String> problems) {
        String v = keys.get("max-requests-per-second");
        if (v == null) {
            return provider.defaultMaxRequestsPerSecond();
        }
        try {
            double r = Double.parseDouble(v);
            if (r > 0 && r <= 100_000) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(p + "max-requests-per-second '" + v + "' is not a number of requests above 0: write it like 10 or 2.5");
        return provider.defaultMaxRequestsPerSecond();
    }

    private static Discovery discovery(Map<String, String> keys, Provider provider, String p, List<String> problems) {
        Duration every = duration(keys, "discovery-interval", Discovery.DEFAULT_INTERVAL, p, problems);
        Set<String> statuses = new TreeSet<>();
        for (String st : list(keys, "discover.status")) {
            if (!knownStatus(st)) {
                problems.add(p + "discover.status '" + st + "' is not a status migwatch knows: use PENDING, RUNNING, FINISHED, FAILED, STOPPED "
                        + "or one of the provider's words (README, \"Normalized status\")");
            }
            statuses.add(st);
        }
        List<Glob> names = new ArrayList<>();
        for (String g : list(keys, "discover.name")) {
            try {
                names.add(Glob.of(g));
            } catch (IllegalArgumentException e) {
                problems.add(p + "discover.name '" + g + "' is not a valid glob: " + e.getMessage() + " (use * and ? as wildcards, [a-z] for a set)");
            }
        }
        Set<String> types = new TreeSet<>();
        for (String t : list(keys, "discover.type")) {
            String upper = t.toUpperCase(java.util.Locale.ROOT);
            if (!provider.taskTypes().contains(upper)) {
                problems.add(p + "discover.type '" + t + "' is not a " + provider.id() + " task type: use " + new TreeSet<>(provider.taskTypes()));
            }
            types.add(upper);
        }
        List<String> labels = list(keys, "discover.labels");
        if (!labels.isEmpty() && provider == Provider.UDTS) {
            problems.add(p + "discover.labels is set, but UDTS tasks carry no labels: remove it");
        }
        return new Discovery(every, statuses, names, types, Set.copyOf(labels));
    }

    private static boolean knownStatus(String word) {
        for (dev.migwatch.history.NormalizedStatus s : dev.migwatch.history.NormalizedStatus.values()) {
            if (s.name().equalsIgnoreCase(word.trim()) && s != dev.migwatch.history.NormalizedStatus.UNKNOWN) {
                return true;
            }
        }
        return dev.migwatch.history.NormalizedStatus.of(word) != dev.migwatch.history.NormalizedStatus.UNKNOWN;
    }

    private static List<String> list(Map<String, String> keys, String key) {
        String v = keys.get(key);
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).distinct().toList();
    }

    private static Duration duration(Map<String, String> keys, String key, Duration dflt, String p, List<String> problems) {
        if (!keys.containsKey(key)) {
            return dflt;
        }
        Duration d = Durations.parse(keys.get(key));
        if (d == null) {
            problems.add(p + key + " '" + keys.get(key) + "' is not a duration: write it like 30s, 5m, 1h or 500ms");
            return dflt;
        }
        return d;
    }

    private static String required(Map<String, String> keys, String key, String p, List<String> problems, String what) {
        String v = blankToNull(keys.get(key));
        if (v == null) {
            problems.add(p + key + " is missing or empty: set it to " + what);
        }
        return v;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
