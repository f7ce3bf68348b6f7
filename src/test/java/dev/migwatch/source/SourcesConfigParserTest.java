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
