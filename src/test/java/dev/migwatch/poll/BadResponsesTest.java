package dev.migwatch.poll;

import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.ApiRequest;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.dts.DtsAdapter;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.BodyText;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryStore;
import dev.migwatch.udts.UdtsAdapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A table of the bodies real APIs send on bad days. None may throw out of a poll cycle: each one either
 * yields what could be read, or a failed cycle whose poll log says BAD_RESPONSE (or the HTTP error) and
 * whose raw body is kept for diagnosis. Each snapshot is also written to a real database.
 */
class BadResponsesTest {
    private static final String HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    private static HikariDataSource db;
    private static HistoryStore store;

    @BeforeAll
    static void open() {
        db = HistoryDatabase.open("jdbc:h2:mem:bad-responses;DB_CLOSE_DELAY=-1", "sa", null);
        HistoryDatabase.migrate(db);
        store = new HistoryStore(db);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    /** provider, API whose answer is replaced, HTTP status, content type, body, expected outcome of that call (OK = cycle maps). */
    static Stream<Arguments> payloads() {
        List<Arguments> rows = new ArrayList<>();
        for (Provider p : Provider.values()) {
            String api = api(p);
            String good = seed(p, api);
            rows.add(Arguments.of(p, api, 200, "application/json", good.substring(0, good.length() / 2), "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 200, "application/json", "{\"Success\": true, \"Data\": {", "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 200, "text/html", HTML, "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 502, "text/html", HTML, "ERROR"));
            rows.add(Arguments.of(p, api, 200, "application/json", "", "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 200, "application/json", "null", "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 200, "application/json", "[1,2,3]", "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 200, "application/json", "base64:" + java.util.Base64.getEncoder()
                    .encodeToString("{\"Data\":\"\u4e2d\"}".getBytes(java.nio.charset.Charset.forName("GB18030"))), "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 200, "text/plain", good, "OK")); // a wrong content type with a good body still maps
            // OMS steps without Data are read from DescribeProject's copy of the steps: recorded, not lost
            rows.add(Arguments.of(p, api, 200, "application/json", missingData(p), p == Provider.OMS ? "OK" : "BAD_RESPONSE"));
            rows.add(Arguments.of(p, api, 200, "application/json", good.replaceFirst("\\{", "{\"SomethingNew\":{\"x\":[1,2]},"), "OK"));
            rows.add(Arguments.of(p, api, 200, "application/json", swapTypes(p, good), "OK"));
            rows.add(Arguments.of(p, api, 200, "application/json", hugeNumbers(p, good), "OK"));
            rows.add(Arguments.of(p, api, 200, "application/json", emptyArrays(p, good), "OK"));
            rows.add(Arguments.of(p, api, 200, "application/json", good.replace("\"RUNNING\"", "\"TELEPORTING\"")
                    .replace("\"Done\"", "\"Teleporting\"").replace("○ Finished", "◇ Teleporting"), "OK"));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} {1}: HTTP {2} {3} -> {5} [{index}]")
    @MethodSource("payloads")
    void neverThrowsAndKeepsTheBody(Provider provider, String api, int status, String contentType, String body, String expected)
            throws Exception {
        SourceConfig source = source(provider);
        PollCycles cycles = new PollCycles(List.of(source), List.of(new OmsAdapter(), new DtsAdapter(), new UdtsAdapter()),
                new SourceGuard(SourceGuard.Settings.defaults(), Clock.systemUTC()), Clock.systemUTC());
        List<ApiRequest> requests = cycles.open(new PollTarget(source.name(), "t1"), new org.apache.camel.support.DefaultExchange(
                new org.apache.camel.impl.DefaultCamelContext()));
        PollCycle cycle = new PollCycle(source, "t1", Instant.now(), requests, null, at -> requests);
        for (ApiRequest r : requests) {
            boolean replaced = r.api().equals(api);
            cycle.add(new ApiResponse(r.api(), 1, Instant.now(), 5, replaced ? status : 200, replaced ? contentType : "application/json",
                    null, replaced ? body : seed(provider, r.api()), null));
        }

        TaskSnapshot snapshot = cycles.close(cycle);

        ApiCall call = snapshot.calls().stream().filter(c -> c.api().equals(api)).findFirst().orElseThrow();
        assertEquals(expected, call.outcome(), call.toString());
        assertEquals("OK".equals(expected), snapshot.succeeded());
        if (!snapshot.succeeded()) {
            assertTrue(snapshot.steps().isEmpty() && snapshot.components().isEmpty(), "no partial rows");
            assertTrue(call.errorMessage() != null && !call.errorMessage().isBlank(), "the poll log says why");
            if (body.startsWith(BodyText.NOT_UTF8)) {
                assertTrue(call.errorMessage().contains("not UTF-8 text"), call.errorMessage());
            }
        }
        if (!body.isEmpty()) {
            assertTrue(snapshot.rawBodies().stream().anyMatch(b -> b.api().equals(api) && b.body().equals(body)), "raw body kept");
        }
        if (body.contains("TELEPORTING") || body.contains("Teleporting")) {
            assertTrue(snapshot.task().status() == NormalizedStatus.UNKNOWN
                    || snapshot.steps().stream().anyMatch(st -> st.status() == NormalizedStatus.UNKNOWN), "an unknown word maps to UNKNOWN");
        }
        assertTrue(store.write(snapshot), "the snapshot is stored");
        assertFalse(store.write(snapshot));
    }

    private static String api(Provider p) {
        return switch (p) {
            case OMS -> "DescribeProjectSteps";
            case DTS -> "ListJobStep";
            case UDTS -> "GetUDTSTaskStatus";
        };
    }

    private static String missingData(Provider p) {
        return switch (p) {
            case OMS -> "{\"Success\":true,\"RequestId\":\"r\",\"Data\":null}";
            case DTS -> "{\"Success\":true,\"RequestId\":\"r\"}";
            case UDTS -> "{\"RetCode\":0,\"Action\":\"GetUDTSTaskStatusResponse\"}";
        };
    }

    /** Numbers as strings and back: "Progress": "100", "Serial": "1", "CurRetryCount": "0". */
    private static String swapTypes(Provider p, String good) {
        return switch (p) {
            case OMS -> good.replace("\"Progress\": 100", "\"Progress\": \"100\"").replace("\"Order\": 1", "\"Order\": \"1\"")
                    .replace("\"Cost\": \"1\"", "\"Cost\": 1");
            case DTS -> good.replace("\"Serial\" : 1,", "\"Serial\" : \"1\",").replace("\"IncLatencyMilliseconds\" : \"1\"",
                    "\"IncLatencyMilliseconds\" : 1").replace("\"Progress\" : 100", "\"Progress\" : \"100\"");
            case UDTS -> good.replace("\"CurRetryCount\": 0", "\"CurRetryCount\": \"0\"").replace("\"BinlogPos\": 154", "\"BinlogPos\": \"154\"");
        };
    }

    private static String hugeNumbers(Provider p, String good) {
        return switch (p) {
            case OMS -> good.replace("\"Progress\": 100", "\"Progress\": 1e308").replace("\"Order\": 1", "\"Order\": 99999999999999999999999");
            case DTS -> good.replace("\"Progress\" : 100", "\"Progress\" : 123456789012345678901234567890");
            case UDTS -> good.replace("\"BinlogPos\": 154", "\"BinlogPos\": 184467440737095516150");
        };
    }

    private static String emptyArrays(Provider p, String good) {
        return switch (p) {
            case OMS -> good.replaceAll("(?s)\"Data\": \\[.*\\]\\s*}\\s*$", "\"Data\": []}");
            case DTS -> good.replaceAll("(?s)\"JobSteps\" : \\[.*\\]\\s*}\\s*$", "\"JobSteps\" : []}");
            case UDTS -> good.replace("\"Sync\": {", "\"Sync\": {\"Extra\": [],");
        };
    }

    private static String seed(Provider p, String api) {
        String file = switch (api) {
            case "DescribeProject" -> "seeds/oms/describe-project.json";
            case "DescribeProjectSteps" -> "seeds/oms/describe-project-steps.json";
            case "DescribeProjectComponents" -> "seeds/oms/describe-project-components.json";
            case "ListJobStep" -> "seeds/dts/list-job-step.json";
            default -> "seeds/udts/get-udts-task-status.json";
        };
        try (var in = BadResponsesTest.class.getClassLoader().getResourceAsStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SourceConfig source(Provider p) {
        return new SourceConfig("bad-" + p.id() + "-" + UUID.randomUUID(), p, URI.create("https://example.invalid"), "cn-hangzhou",
                List.of("t1"), Duration.ofSeconds(30), "id", Secret.of("secret"), null, SignatureMethod.ACS3_HMAC_SHA256, null,
                Duration.ofSeconds(1), Duration.ofSeconds(1));
    }
}
