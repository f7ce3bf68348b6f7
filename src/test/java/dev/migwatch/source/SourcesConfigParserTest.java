package dev.migwatch.source;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourcesConfigParserTest {

    @Test
    void readsTheDocumentedShape() {
        List<SourceConfig> sources = SourcesConfigParser.parse(Map.of(
                "migwatch.sources.prod-oms.provider", "oms",
                "migwatch.sources.prod-oms.endpoint", "https://oceanbasepro.cn-hangzhou.aliyuncs.com",
                "migwatch.sources.prod-oms.access-key-id", "AKID",
                "migwatch.sources.prod-oms.access-key-secret", "s3cret",
                "migwatch.sources.prod-oms.tasks", "np_4w3a1, np_fe22,,np_4w3a1",
                "migwatch.sources.prod-oms.interval", "45s",
                "migwatch.sources.uc.provider", "udts",
                "migwatch.sources.uc.public-key", "pub",
                "migwatch.sources.uc.private-key", "priv",
                "migwatch.sources.uc.tasks", "udts-1"));
        assertEquals(2, sources.size());
        SourceConfig oms = sources.get(0);
        assertEquals("prod-oms", oms.name());
        assertEquals(Provider.OMS, oms.provider());
        assertEquals(List.of("np_4w3a1", "np_fe22"), oms.tasks());
        assertEquals(Duration.ofSeconds(45), oms.interval());
        assertEquals(SignatureMethod.ACS3_HMAC_SHA256, oms.signatureMethod());
        assertEquals("s3cret", oms.secret().reveal());
        assertFalse(oms.toString().contains("s3cret"));
        SourceConfig uc = sources.get(1);
        assertEquals("https://api.ucloud.cn", uc.endpoint().toString());
        assertEquals(Duration.ofSeconds(30), uc.interval());
    }

    @Test
    void derivesTheEndpointFromTheRegion() {
        SourceConfig dts = SourcesConfigParser.parse(Map.of(
                "migwatch.sources.d.provider", "dts", "migwatch.sources.d.region", "cn-shanghai",
                "migwatch.sources.d.access-key-id", "a", "migwatch.sources.d.access-key-secret", "b",
                "migwatch.sources.d.tasks", "k2gm", "migwatch.sources.d.signature-method", "HMAC-SHA1")).get(0);
        assertEquals("https://dts.cn-shanghai.aliyuncs.com", dts.endpoint().toString());
        assertEquals(SignatureMethod.HMAC_SHA1, dts.signatureMethod());
    }

    @Test
    void namesEveryMistakeAndTheFix() {
        ConfigException e = assertThrows(ConfigException.class, () -> SourcesConfigParser.parse(Map.of(
                "migwatch.sources.a.provider", "gcp",
                "migwatch.sources.b.provider", "oms",
                "migwatch.sources.b.interval", "every minute",
                "migwatch.sources.b.tasks", "np_1",
                "migwatch.sources.c.provider", "udts",
                "migwatch.sources.c.tasks", "u1",
                "migwatch.sources.c.public-key", "p",
                "migwatch.sources.d.tasks-list", "x")));
        String m = e.getMessage();
        assertTrue(m.contains("migwatch.sources.a.provider is 'gcp', which is not known: set it to oms, dts or udts"), m);
        assertTrue(m.contains("migwatch.sources.b.interval 'every minute' is not a duration"), m);
        assertTrue(m.contains("migwatch.sources.b.access-key-id is missing"), m);
        assertTrue(m.contains("migwatch.sources.b.endpoint is missing and there is no migwatch.sources.b.region"), m);
        assertTrue(m.contains("migwatch.sources.c.private-key is missing"), m);
        assertTrue(m.contains("unknown property 'migwatch.sources.d.tasks-list'"), m);
    }

    @Test
    void neverEchoesASecretInAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> SourcesConfigParser.parse(Map.of(
                "migwatch.sources.b.provider", "oms",
                "migwatch.sources.b.access-key-id", "id",
                "migwatch.sources.b.access-key-secret", "TOPSECRET",
                "migwatch.sources.b.private-key", "ALSOSECRET",
                "migwatch.sources.b.tasks", "np_1")));
        assertFalse(e.getMessage().contains("TOPSECRET"));
        assertFalse(e.getMessage().contains("ALSOSECRET"));
        assertTrue(e.getMessage().contains("private-key is for UCloud sources"));
    }

    @Test
    void readsDiscoveryRateAndIdleInterval() {
        SourceConfig oms = SourcesConfigParser.parse(props(
                "migwatch.sources.o.provider", "oms", "migwatch.sources.o.region", "cn-hangzhou",
                "migwatch.sources.o.access-key-id", "a", "migwatch.sources.o.access-key-secret", "b",
                "migwatch.sources.o.tasks", "*, np_pinned",
                "migwatch.sources.o.discovery-interval", "2m",
                "migwatch.sources.o.discover.name", "orders-*, billing-[0-9]",
                "migwatch.sources.o.discover.status", "RUNNING, Monitoring",
                "migwatch.sources.o.discover.type", "sync",
                "migwatch.sources.o.discover.labels", "prod",
                "migwatch.sources.o.max-requests-per-second", "2.5",
                "migwatch.sources.o.idle-interval", "10m")).get(0);
        assertEquals(List.of("np_pinned"), oms.tasks());
        assertTrue(oms.discovers());
        Discovery d = oms.discovery();
        assertEquals(Duration.ofMinutes(2), d.interval());
        assertEquals(2.5, oms.maxRequestsPerSecond());
        assertEquals(Duration.ofMinutes(10), oms.idleInterval());
        assertTrue(d.accepts("orders-eu", "RUNNING", "RUNNING", "SYNC", List.of("prod", "l_1")));
        assertTrue(d.accepts("billing-7", "MONITORING", "RUNNING", "SYNC", List.of("prod")));
        assertFalse(d.accepts("billing-x", "RUNNING", "RUNNING", "SYNC", List.of("prod")), "[0-9] is one digit");
        assertFalse(d.accepts("orders-eu", "FINISHED", "FINISHED", "SYNC", List.of("prod")), "status");
        assertFalse(d.accepts("orders-eu", "RUNNING", "RUNNING", "MIGRATION", List.of("prod")), "type");
        assertFalse(d.accepts("orders-eu", "RUNNING", "RUNNING", "SYNC", List.of("test")), "labels");

        SourceConfig named = SourcesConfigParser.parse(Map.of(
                "migwatch.sources.d.provider", "dts", "migwatch.sources.d.region", "cn-hangzhou",
                "migwatch.sources.d.access-key-id", "a", "migwatch.sources.d.access-key-secret", "b",
                "migwatch.sources.d.tasks", "k2gm")).get(0);
        assertFalse(named.discovers());
        assertEquals(Provider.DTS.defaultMaxRequestsPerSecond(), named.maxRequestsPerSecond());
        assertEquals(SourceConfig.DEFAULT_IDLE_INTERVAL, named.idleInterval());
    }

    @Test
    void namesEveryDiscoveryMistake() {
        ConfigException e = assertThrows(ConfigException.class, () -> SourcesConfigParser.parse(Map.ofEntries(
                Map.entry("migwatch.sources.o.provider", "oms"), Map.entry("migwatch.sources.o.region", "cn-hangzhou"),
                Map.entry("migwatch.sources.o.access-key-id", "a"), Map.entry("migwatch.sources.o.access-key-secret", "b"),
                Map.entry("migwatch.sources.o.tasks", "*"),
                Map.entry("migwatch.sources.o.discovery-interval", "often"),
                Map.entry("migwatch.sources.o.discover.name", "orders-[eu"),
                Map.entry("migwatch.sources.o.discover.status", "RUNING"),
                Map.entry("migwatch.sources.o.discover.type", "SUBSCRIBE"),
                Map.entry("migwatch.sources.o.discover.label", "prod"),
                Map.entry("migwatch.sources.o.max-requests-per-second", "0"),
                Map.entry("migwatch.sources.u.provider", "udts"), Map.entry("migwatch.sources.u.public-key", "p"),
                Map.entry("migwatch.sources.u.private-key", "q"), Map.entry("migwatch.sources.u.tasks", "udts-1"),
                Map.entry("migwatch.sources.u.discover.name", "x*"))));
        List<String> p = e.problems();
        assertTrue(p.contains("migwatch.sources.o.discovery-interval 'often' is not a duration: write it like 30s, 5m, 1h or 500ms"), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("migwatch.sources.o.discover.name 'orders-[eu' is not a valid glob: its [ at position 8 "
                + "is never closed")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("migwatch.sources.o.discover.status 'RUNING' is not a status migwatch knows")), p.toString());
        assertTrue(p.contains("migwatch.sources.o.discover.type 'SUBSCRIBE' is not a oms task type: use [MIGRATION, SYNC]"), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("unknown property 'migwatch.sources.o.discover.label'")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("migwatch.sources.o.max-requests-per-second '0' is not a number")), p.toString());
        assertTrue(p.contains("migwatch.sources.u.discover.name is set but migwatch.sources.u.tasks has no *: add * to tasks to watch "
                + "the account's tasks"), p.toString());
        assertEquals(7, p.size(), "one message each: " + p);
    }

    private static Map<String, String> props(String... keysAndValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void globsMatchWholeNames() {
        assertTrue(Glob.of("orders-*").matches("orders-eu-1"));
        assertFalse(Glob.of("orders-*").matches("old-orders-eu"));
        assertTrue(Glob.of("db?").matches("db1"));
        assertFalse(Glob.of("db?").matches("db12"));
        assertTrue(Glob.of("[!a-c]x").matches("dx"));
        assertFalse(Glob.of("[!a-c]x").matches("bx"));
        assertTrue(Glob.of("a\\*b").matches("a*b"));
        assertFalse(Glob.of("a\\*b").matches("axb"));
        assertTrue(Glob.of("v1.2").matches("v1.2"));
        assertFalse(Glob.of("v1.2").matches("v1x2"), "a dot is a dot");
        assertThrows(IllegalArgumentException.class, () -> Glob.of("trailing\\"));
    }

    @Test
    void parsesDurations() {
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ofHours(2), Durations.parse("PT2H"));
        assertNull(Durations.parse("0s"));
        assertNull(Durations.parse("30"));
        assertNull(Durations.parse("s30"));
        assertNull(Durations.parse("-5s"));
    }
}
