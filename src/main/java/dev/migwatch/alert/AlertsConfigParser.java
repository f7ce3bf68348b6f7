package dev.migwatch.alert;

import dev.migwatch.source.ConfigException;
import dev.migwatch.source.Durations;
import dev.migwatch.source.Glob;
import dev.migwatch.source.Secret;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@code migwatch.alerts.*} into an {@link AlertsConfig}, rejecting whatever it does not understand with one
 * message per problem that names the property and the fix, all at once, before anything starts (as
 * SourcesConfigParser does for sources). A channel URI in a message is shown with its secrets masked.
 */
public final class AlertsConfigParser {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AlertsConfigParser.class);
    public static final String PREFIX = "migwatch.alerts.";
    static final Set<String> RULE_KEYS = Set.of("condition", "threshold", "for", "tasks", "channels", "repeat");
    static final Set<String> CHANNEL_KEYS = Set.of("uri", "format", "secret");
    /** The keys migwatch.alerts.<key> outside rules and channels. */
    public static final Set<String> GLOBAL_KEYS = Set.of("dashboard-url", "interval", "delivery.retries", "delivery.backoff");
    private static final Pattern BLOCK_KEY = Pattern.compile("migwatch\\.alerts\\.(rules|channels)\\.([A-Za-z0-9_-]+)\\.([a-z.-]+)");
    /** The width of alert.rule and alert_notification.channel (V7). */
    static final int NAME_MAX = 100;
    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):.+", Pattern.DOTALL);

    private AlertsConfigParser() {
    }

    /**
     * @param props              every property whose key starts with migwatch.alerts.
     * @param knownScheme        whether Camel has a component for a URI scheme (http, smtp, log, ...)
     * @param defaultDashboardUrl the dashboard's address when dashboard-url is not set (null: none)
     * @throws ConfigException listing every problem found
     */
    public static AlertsConfig parse(Map<String, String> props, Predicate<String> knownScheme, String defaultDashboardUrl) {
        return parse(props, knownScheme, c -> null, defaultDashboardUrl);
    }

    /**
     * @param endpointProblem why Camel cannot make the endpoint of a channel's URI (an option its component lacks, a malformed
     *                        address), or null when it can: named with the others, the URI masked
     */
    public static AlertsConfig parse(Map<String, String> props, Predicate<String> knownScheme,
                                     java.util.function.Function<AlertChannel, String> endpointProblem, String defaultDashboardUrl) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> rules = new TreeMap<>();
        Map<String, Map<String, String>> channels = new TreeMap<>();
        Map<String, String> global = new TreeMap<>();
        for (var e : new TreeMap<>(props).entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            Matcher m = BLOCK_KEY.matcher(key);
            if (m.matches()) {
                boolean rule = m.group(1).equals("rules");
                if ((rule ? RULE_KEYS : CHANNEL_KEYS).contains(m.group(3))) {
                    (rule ? rules : channels).computeIfAbsent(m.group(2), k -> new TreeMap<>()).put(m.group(3), value);
                    continue;
                }
                problems.add("unknown property '" + key + "': a" + (rule ? " rule" : " channel") + " is configured with "
                        + PREFIX + m.group(1) + ".<name>.<key>, where <key> is one of " + new TreeSet<>(rule ? RULE_KEYS : CHANNEL_KEYS));
            } else if (key.startsWith(PREFIX) && GLOBAL_KEYS.contains(key.substring(PREFIX.length()))) {
                global.put(key.substring(PREFIX.length()), value);
            } else {
                problems.add("unknown property '" + key + "': alerts are configured with " + PREFIX + "rules.<name>.<key>, "
                        + PREFIX + "channels.<name>.<key> and " + GLOBAL_KEYS.stream().map(k -> PREFIX + k).sorted().toList());
            }
        }
        Map<String, AlertChannel> parsedChannels = new LinkedHashMap<>();
        channels.forEach((name, keys) -> {
            nameFits("channel", name, problems);
            AlertChannel c = channel(name, keys, knownScheme, problems);
            String why = c == null ? null : endpointProblem.apply(c);
            if (why != null) {
                problems.add(PREFIX + "channels." + name + ".uri '" + c.shownUri() + "' is not an endpoint Camel can make: " + c.mask(why));
            } else if (c != null) {
                parsedChannels.put(name, c);
            }
        });
        List<AlertRule> parsedRules = new ArrayList<>();
        rules.forEach((name, keys) -> {
            nameFits("rule", name, problems);
            AlertRule r = rule(name, keys, channels.keySet(), problems);
            if (r != null) {
                parsedRules.add(r);
            }
        });
        String dashboardUrl = dashboardUrl(global.get("dashboard-url"), defaultDashboardUrl, problems);
        Duration interval = duration(global, "interval", PREFIX, AlertsConfig.DEFAULT_INTERVAL, false, problems);
        Duration backoff = duration(global, "delivery.backoff", PREFIX, AlertsConfig.DEFAULT_BACKOFF, false, problems);
        int retries = AlertsConfig.DEFAULT_RETRIES;
        if (global.containsKey("delivery.retries")) {
            String v = global.get("delivery.retries");
            try {
                retries = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                retries = -1;
            }
            if (retries < 0 || retries > 100) {
                problems.add(PREFIX + "delivery.retries '" + v + "' is not a whole number from 0 to 100");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        if (!global.containsKey("dashboard-url") && !parsedChannels.isEmpty() && loopback(dashboardUrl)) {
            // not an error (one machine may be all there is), but the links in every notification would lead nowhere
            LOG.warn("Alert notifications link to {}, which only this machine can open: set {}dashboard-url to the address "
                    + "their readers reach migwatch at", dashboardUrl, PREFIX);
        }
        return new AlertsConfig(parsedRules, parsedChannels, dashboardUrl, interval, retries, backoff);
    }

    /** The name must fit its column (alert.rule, alert_notification.channel): a longer one would fail every evaluation. */
    private static void nameFits(String what, String name, List<String> problems) {
        if (name.length() > NAME_MAX) {
            problems.add(PREFIX + what + "s." + name + ": a " + what + " name has at most " + NAME_MAX + " characters (it has "
                    + name.length() + ")");
        }
    }

    private static AlertChannel channel(String name, Map<String, String> keys, Predicate<String> knownScheme, List<String> problems) {
        String p = PREFIX + "channels." + name + ".";
        int before = problems.size();
        Secret secret = Secret.of(keys.get("secret"));
        String uri = keys.get("uri");
        // every message below shows the URI masked, however wrong it is
        UriSecrets mask = UriSecrets.of(uri, secret);
        ChannelFormat format = ChannelFormat.JSON;
        if (keys.containsKey("format")) {
            format = ChannelFormat.parse(keys.get("format")).orElse(null);
            if (format == null) {
                problems.add(p + "format '" + keys.get("format") + "' is not known: use "
                        + Arrays.stream(ChannelFormat.values()).map(ChannelFormat::id).collect(Collectors.joining(", ")));
            }
        }
        if (uri == null || uri.isEmpty()) {
            problems.add(p + "uri is missing: set it to a Camel endpoint URI, e.g. http://alerts.internal:9000/migwatch "
                    + "or smtp://mail.internal:25?from=migwatch@example.com&to=dba@example.com");
        } else {
            Matcher m = SCHEME.matcher(uri);
            if (!m.matches()) {
                problems.add(p + "uri '" + mask.mask(uri) + "' is not a Camel endpoint URI: write it as <component>:<address>?<options>, "
                        + "e.g. http://alerts.internal:9000/migwatch");
            } else if (!knownScheme.test(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
                problems.add(p + "uri '" + mask.mask(uri) + "' names the Camel component '" + m.group(1)
                        + "', which migwatch does not ship: use http, https, smtp, smtps, log, file, seda, ...");
            }
        }
        if (secret != null && format != ChannelFormat.DINGTALK) {
            problems.add(p + "secret is set, but only a dingtalk channel signs its messages with one: remove it or set " + p + "format = dingtalk");
        }
        return problems.size() > before ? null : AlertChannel.of(name, uri, format, secret);
    }

    private static AlertRule rule(String name, Map<String, String> keys, Set<String> channelNames, List<String> problems) {
        String p = PREFIX + "rules." + name + ".";
        int before = problems.size();
        AlertCondition condition = null;
        if (!keys.containsKey("condition")) {
            problems.add(p + "condition is missing: set it to one of " + conditionIds());
        } else {
            condition = AlertCondition.parse(keys.get("condition")).orElse(null);
            if (condition == null) {
                problems.add(p + "condition '" + keys.get("condition") + "' is not known: use one of " + conditionIds());
            }
        }
        Threshold threshold = Threshold.NONE;
        if (condition != null) {
            threshold = threshold(condition, keys.get("threshold"), p, problems);
        }
        Duration pendingFor = duration(keys, "for", p, Duration.ZERO, true, problems);
        Duration repeat = keys.containsKey("repeat") ? duration(keys, "repeat", p, null, false, problems) : null;
        List<TaskPattern> tasks = new ArrayList<>();
        for (String t : list(keys.get("tasks"))) {
            int slash = t.indexOf('/');
            if (slash <= 0 || slash == t.length() - 1) {
                problems.add(p + "tasks '" + t + "' is not <source>/<task>: write it like prod-oms/* or */np_4w3a1 (globs: *, ?, [a-z])");
                continue;
            }
            try {
                tasks.add(new TaskPattern(Glob.of(t.substring(0, slash)), Glob.of(t.substring(slash + 1))));
            } catch (IllegalArgumentException e) {
                problems.add(p + "tasks '" + t + "' is not a valid glob: " + e.getMessage() + " (use * and ? as wildcards, [a-z] for a set)");
            }
        }
        if (tasks.isEmpty()) {
            tasks.add(TaskPattern.ALL);
        }
        List<String> channels = list(keys.get("channels"));
        for (String c : channels) {
            if (!channelNames.contains(c)) {
                problems.add(p + "channels names '" + c + "', which is not a channel: configure " + PREFIX + "channels." + c
                        + ".uri, or use one of " + new TreeSet<>(channelNames));
            }
        }
        return problems.size() > before ? null : new AlertRule(name, condition, threshold, pendingFor, tasks, channels, repeat);
    }

    private static Threshold threshold(AlertCondition condition, String value, String p, List<String> problems) {
        if (!condition.takesThreshold()) {
            if (value != null) {
                problems.add(p + "threshold is set, but condition " + condition.id() + " takes none"
                        + (condition == AlertCondition.STALLED ? " (how long a step must stand still is migwatch.trends.stall-after)" : "")
                        + ": remove it");
            }
            return Threshold.NONE;
        }
        if (value == null || value.isEmpty()) {
            problems.add(p + "threshold is missing: " + condition.id() + (condition == AlertCondition.DELAY_ABOVE
                    ? " needs a delay, e.g. 5m" : " needs a time (2026-06-01T18:00:00Z) or a duration from now (6h)"));
            return Threshold.NONE;
        }
        Duration d = Durations.parse(value);
        if (d != null) {
            return Threshold.of(d);
        }
        if (condition == AlertCondition.ETA_AFTER) {
            Instant at = time(value);
            if (at != null) {
                return Threshold.of(at);
            }
            problems.add(p + "threshold '" + value + "' is neither a time (2026-06-01T18:00:00Z, or a date 2026-06-01 for its "
                    + "midnight UTC) nor a duration from now (6h)");
        } else {
            problems.add(p + "threshold '" + value + "' is not a duration: write it like 30s, 5m, 1h or 500ms");
        }
        return Threshold.NONE;
    }

    private static Instant time(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String dashboardUrl(String value, String dflt, List<String> problems) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        try {
            URI u = URI.create(value);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        problems.add(PREFIX + "dashboard-url '" + value + "' is not an http(s) URL: write it like https://migwatch.internal:8080/");
        return dflt;
    }

    /** A duration; with zeroAllowed "0" or "0s" too (for: fire at once). */
    private static Duration duration(Map<String, String> keys, String key, String p, Duration dflt, boolean zeroAllowed,
                                     List<String> problems) {
        String v = keys.get(key);
        if (v == null) {
            return dflt;
        }
        if (zeroAllowed && v.matches("0+(ms|s|m|h|d)?")) {
            return Duration.ZERO;
        }
        Duration d = Durations.parse(v);
        if (d == null) {
            problems.add(p + key + " '" + v + "' is not a duration: write it like 30s, 5m, 1h or 500ms");
            return dflt;
        }
        return d;
    }

    private static List<String> list(String v) {
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).distinct().toList();
    }

    private static String conditionIds() {
        return Arrays.stream(AlertCondition.values()).map(AlertCondition::id).collect(Collectors.joining(", "));
    }

    static boolean loopback(String url) {
        if (url == null) {
            return false;
        }
        String host = java.net.URI.create(url).getHost();
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"));
    }
}
