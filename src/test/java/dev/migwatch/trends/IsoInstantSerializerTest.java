package dev.migwatch.trends;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IsoInstantSerializerTest {
    private final ObjectMapper json = new ObjectMapper().registerModule(new SimpleModule().addSerializer(Instant.class, new IsoInstantSerializer()));

    @Test
    void writesWhatInstantToStringWrites() throws Exception {
        // the API's times must read exactly as before: random instants of every year the fast path takes, with no
        // fraction, milliseconds, microseconds and nanoseconds, and the edges of its range and of the calendar
        Random random = new Random(12);
        long last = 253_402_300_799L;
        List<Instant> edges = List.of(Instant.EPOCH, Instant.ofEpochSecond(0, 1), Instant.ofEpochSecond(last, 999_999_999),
                Instant.parse("2000-02-29T23:59:59.100Z"), Instant.parse("2026-12-31T23:59:59.000001Z"),
                Instant.ofEpochSecond(-1, 999_000_000), Instant.ofEpochSecond(last + 1), Instant.MIN, Instant.MAX);
        for (Instant t : edges) {
            assertEquals('"' + t.toString() + '"', json.writeValueAsString(t));
        }
        char[] text = new char[32];
        for (int i = 0; i < 200_000; i++) {
            long second = (long) (random.nextDouble() * (last + 1));
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(second, nano);
            int n = IsoInstantSerializer.format(t, text);
            assertEquals(t.toString(), new String(text, 0, n));
        }
        assertEquals("{\"at\":\"2026-12-03T15:39:30.349199Z\"}", json.writeValueAsString(java.util.Map.of("at", Instant.parse("2026-12-03T15:39:30.349199Z"))));
    }
}
