package dev.migwatch.provider;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JsonInstantTest {

    private static Instant at(String json) throws Exception {
        return Json.instant(Json.parse("{\"t\":" + json + "}"), "t");
    }

    @Test
    void everyTimeTheProvidersWriteIsRead() throws Exception {
        Instant t = Instant.parse("2024-09-20T02:13:12Z");
        assertEquals(t, at("\"2024-09-20T02:13:12Z\""));
        assertEquals(t, at("\"2024-09-20T10:13:12+08:00\""));
        assertEquals(t, at("\"2024-09-19T21:13:12-05:00\""));
        // OMS: no zone, read as UTC; with a space or a T
        assertEquals(t, at("\"2024-09-20 02:13:12\""));
        assertEquals(t, at("\"2024-09-20T02:13:12\""));
        assertEquals(Instant.parse("2024-09-20T02:13:12.250Z"), at("\"2024-09-20 02:13:12.250\""));
        // Unix seconds, or milliseconds when too large for seconds, as number or text
        assertEquals(t, at(String.valueOf(t.getEpochSecond())));
        assertEquals(t, at("\"" + t.getEpochSecond() + "\""));
        assertEquals(t, at(String.valueOf(t.toEpochMilli())));
    }

    @Test
    void whatIsNoTimeIsNull() throws Exception {
        assertNull(at("null"));
        assertNull(at("\"\""));
        assertNull(at("\"yesterday\""));
        assertNull(at("\"2024-09-20\""));
        assertNull(at("\"2024-13-20 02:13:12\""));
        assertNull(at("0"));
        assertNull(Json.instant(Json.parse("{}"), "t"));
    }
}
