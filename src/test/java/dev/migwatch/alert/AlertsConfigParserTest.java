package dev.migwatch.alert;

import dev.migwatch.source.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertsConfigParserTest {
    private static final Set<String> SCHEMES = Set.of("http", "https", "smtp", "smtps", "log");

    @Test
    void theIssuesExampleParses() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("migwatch.alerts.rules.lagging.condition", "delay-above");
        p.put("migwatch.alerts.rules.lagging.threshold", "5m");
        p.put("migwatch.alerts.rules.lagging.for", "2m");
        p.put("migwatch.alerts.rules.lagging.tasks", "prod-oms/*, */orders-*");
        p.put("migwatch.alerts.rules.lagging.channels", "ops-webhook,dba-mail");
        p.put("migwatch.alerts.rules.lagging.repeat", "1h");
        p.put("migwatch.alerts.rules.late.condition", "eta-after");
        p.put("migwatch.alerts.rules.late.threshold", "2026-06-01T18:00:00+08:00");
        p.put("migwatch.alerts.rules.broken.condition", "failed");
        p.put("migwatch.alerts.rules.broken.for", "0s");
        p.put("migwatch.alerts.channels.ops-webhook.uri", "http://alerts.internal:9000/migwatch");
        p.put("migwatch.alerts.channels.ops-webhook.format", "json");
        p.put("migwatch.alerts.channels.dba-mail.uri", "smtp://mail.internal:25?from=migwatch@example.com&to=dba@example.com");
        p.put("migwatch.alerts.channels.dba-mail.format", "email");
        p.put("migwatch.alerts.channels.robot.uri", "https://oapi.dingtalk.com/robot/send?access_token=abc123");
        p.put("migwatch.alerts.channels.robot.format", "DingTalk");
        p.put("migwatch.alerts.channels.robot.secret", "SECabc");
        p.put("migwatch.alerts.dashboard-url", "https://migwatch.internal/");
        AlertsConfig c = AlertsConfigParser.parse(p, SCHEMES::contains, "http://127.0.0.1:8080/");

        assertEquals(List.of("broken", "lagging", "late"), c.rules().stream().map(AlertRule::name).toList());
        AlertRule lagging = c.rules().get(1);
        assertEquals(AlertCondition.DELAY_ABOVE, lagging.condition());
        assertEquals(Duration.ofMinutes(5), lagging.threshold().duration());
        assertEquals(Duration.ofMinutes(2), lagging.pendingFor());
        assertEquals(Duration.ofHours(1), lagging.repeat());
        assertEquals(List.of("ops-webhook", "dba-mail"), lagging.channels());
        assertTrue(lagging.covers("prod-oms", "np_1", null));
        assertTrue(lagging.covers("prod-dts", "k2gm", "orders-eu"));
        assertFalse(lagging.covers("prod-dts", "k2gm", "billing"));
        AlertRule broken = c.rules().get(0);
        assertEquals(Duration.ZERO, broken.pendingFor());
        assertNull(broken.repeat());
        assertEquals(List.of(), broken.channels(), "no channel: the alerts are only recorded");
        assertTrue(broken.covers("any", "task", null), "default */*");
        assertEquals(Instant.parse("2026-06-01T10:00:00Z"), c.rules().get(2).threshold().at());
        assertEquals(ChannelFormat.EMAIL, c.channels().get("dba-mail").format());
        assertEquals(ChannelFormat.DINGTALK, c.channels().get("robot").format());
        assertEquals("SECabc", c.channels().get("robot").secret().reveal());
        assertEquals("https://migwatch.internal/#/task/prod%20oms/np_1", c.taskUrl("prod oms", "np_1"));
        assertEquals(AlertsConfig.DEFAULT_INTERVAL, c.interval());
    }

    @Test
    void everyMistakeIsNamedAtOnceWithTheUriMasked() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("migwatch.alerts.rules.a.condition", "delay");
        p.put("migwatch.alerts.rules.b.condition", "delay-above");
        p.put("migwatch.alerts.rules.b.threshold", "soon");
        p.put("migwatch.alerts.rules.b.for", "a while");
        p.put("migwatch.alerts.rules.b.channels", "ops,nowhere");
        p.put("migwatch.alerts.rules.b.tasks", "prod-oms");
        p.put("migwatch.alerts.rules.c.condition", "stalled");
        p.put("migwatch.alerts.rules.c.threshold", "15m");
        p.put("migwatch.alerts.rules.c.treshold", "15m");
        p.put("migwatch.alerts.rules.d.condition", "eta-after");
        p.put("migwatch.alerts.rules.d.threshold", "next week");
        p.put("migwatch.alerts.rules.e.threshold", "5m");
        p.put("migwatch.alerts.channels.ops.uri", "teams://hook?token=T0ken-Secret-77");
        p.put("migwatch.alerts.channels.ops.format", "teams");
        p.put("migwatch.alerts.channels.mail.uri", "smtp://u:Pa55-Secret-88@mail:25");
        p.put("migwatch.alerts.channels.mail.secret", "SEC-secret-99");
        p.put("migwatch.alerts.channels.empty.format", "json");
        p.put("migwatch.alerts.interval", "often");
        p.put("migwatch.alerts.delivery.retries", "-1");
        p.put("migwatch.alerts.dashboard-url", "migwatch.internal");
        p.put("migwatch.alerts.silence", "true");
        ConfigException e = assertThrows(ConfigException.class, () -> AlertsConfigParser.parse(p, SCHEMES::contains, null));
        List<String> expected = List.of(
                "migwatch.alerts.rules.a.condition 'delay' is not known: use one of delay-above, failed, stalled, polls-failing, eta-after, finished",
                "migwatch.alerts.rules.b.threshold 'soon' is not a duration: write it like 30s, 5m, 1h or 500ms",
                "migwatch.alerts.rules.b.for 'a while' is not a duration: write it like 30s, 5m, 1h or 500ms",
                "migwatch.alerts.rules.b.tasks 'prod-oms' is not <source>/<task>: write it like prod-oms/* or */np_4w3a1 (globs: *, ?, [a-z])",
                "migwatch.alerts.rules.b.channels names 'nowhere', which is not a channel: configure migwatch.alerts.channels.nowhere.uri, "
                        + "or use one of [empty, mail, ops]",
                "unknown property 'migwatch.alerts.rules.c.treshold': a rule is configured with migwatch.alerts.rules.<name>.<key>, "
                        + "where <key> is one of [channels, condition, for, repeat, tasks, threshold]",
                "migwatch.alerts.rules.c.threshold is set, but condition stalled takes none (how long a step must stand still is "
                        + "migwatch.trends.stall-after): remove it",
                "migwatch.alerts.rules.d.threshold 'next week' is neither a time (2026-06-01T18:00:00Z, or a date 2026-06-01 for its "
                        + "midnight UTC) nor a duration from now (6h)",
                "migwatch.alerts.rules.e.condition is missing: set it to one of delay-above, failed, stalled, polls-failing, eta-after, finished",
                "migwatch.alerts.channels.ops.format 'teams' is not known: use json, dingtalk, slack, email",
                "migwatch.alerts.channels.ops.uri 'teams://hook?token=****' names the Camel component 'teams', which migwatch does not ship: "
                        + "use http, https, smtp, smtps, log, file, seda, ...",
                "migwatch.alerts.channels.mail.secret is set, but only a dingtalk channel signs its messages with one: remove it or set "
                        + "migwatch.alerts.channels.mail.format = dingtalk",
                "migwatch.alerts.channels.empty.uri is missing: set it to a Camel endpoint URI, e.g. http://alerts.internal:9000/migwatch "
                        + "or smtp://mail.internal:25?from=migwatch@example.com&to=dba@example.com",
                "unknown property 'migwatch.alerts.silence': alerts are configured with migwatch.alerts.rules.<name>.<key>, "
                        + "migwatch.alerts.channels.<name>.<key> and [migwatch.alerts.dashboard-url, migwatch.alerts.delivery.backoff, "
                        + "migwatch.alerts.delivery.retries, migwatch.alerts.interval]",
                "migwatch.alerts.dashboard-url 'migwatch.internal' is not an http(s) URL: write it like https://migwatch.internal:8080/",
                "migwatch.alerts.interval 'often' is not a duration: write it like 30s, 5m, 1h or 500ms",
                "migwatch.alerts.delivery.retries '-1' is not a whole number from 0 to 100");
        assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(e.problems()), String.join("\n", e.problems()));
        for (String secret : List.of("T0ken-Secret-77", "Pa55-Secret-88", "SEC-secret-99")) {
            assertFalse(e.getMessage().contains(secret), secret);
        }
    }

    @Test
    void noAlertPropertiesNoRules() {
        AlertsConfig c = AlertsConfigParser.parse(Map.of(), SCHEMES::contains, null);
        assertEquals(List.of(), c.rules());
        assertNull(c.taskUrl("s", "t"), "no dashboard: no url");
    }

    @Test
    void aNameLongerThanItsColumnIsAConfigurationProblem() {
        // alert.rule and alert_notification.channel hold 100 characters: a longer name failed every evaluation's
        // transaction, so that no rule at all was evaluated
        String longName = "r".repeat(101);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("migwatch.alerts.rules." + longName + ".condition", "failed");
        p.put("migwatch.alerts.rules." + longName + ".channels", "c".repeat(101));
        p.put("migwatch.alerts.channels." + "c".repeat(101) + ".uri", "log:alerts");
        p.put("migwatch.alerts.rules." + "r".repeat(100) + ".condition", "failed");
        ConfigException e = assertThrows(ConfigException.class, () -> AlertsConfigParser.parse(p, SCHEMES::contains, null));
        assertEquals(List.of(
                "migwatch.alerts.channels." + "c".repeat(101) + ": a channel name has at most 100 characters (it has 101)",
                "migwatch.alerts.rules." + longName + ": a rule name has at most 100 characters (it has 101)"), e.problems());
    }

    @Test
    void aDurationTooLargeForJavaIsNamedNotThrown() {
        // a number beyond a long, or days beyond what a Duration holds, threw out of the parser: a stack trace at start
        Map<String, String> p = new LinkedHashMap<>();
        p.put("migwatch.alerts.interval", "99999999999999999999s");
        p.put("migwatch.alerts.rules.r.condition", "failed");
        p.put("migwatch.alerts.rules.r.repeat", "999999999999999d");
        p.put("migwatch.alerts.delivery.backoff", "P999999999999D");
        ConfigException e = assertThrows(ConfigException.class, () -> AlertsConfigParser.parse(p, SCHEMES::contains, null));
        assertEquals(List.of(
                "migwatch.alerts.rules.r.repeat '999999999999999d' is not a duration: write it like 30s, 5m, 1h or 500ms",
                "migwatch.alerts.interval '99999999999999999999s' is not a duration: write it like 30s, 5m, 1h or 500ms",
                "migwatch.alerts.delivery.backoff 'P999999999999D' is not a duration: write it like 30s, 5m, 1h or 500ms"), e.problems());
    }

    @Test
    void aDashboardOnlyThisMachineReachesIsToldApart() {
        assertTrue(AlertsConfigParser.loopback("http://127.0.0.1:8080/"));
        assertTrue(AlertsConfigParser.loopback("http://localhost:8080/"));
        assertTrue(AlertsConfigParser.loopback("http://[::1]:8080/"));
        assertFalse(AlertsConfigParser.loopback("http://migwatch.internal:8080/"));
        assertFalse(AlertsConfigParser.loopback("https://10.0.0.5/"));
        assertFalse(AlertsConfigParser.loopback(null));
    }
}
