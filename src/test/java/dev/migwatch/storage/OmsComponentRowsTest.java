package dev.migwatch.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.poll.ContentHash;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.Json;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.simulator.OmsAnswers;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * An OMS project in full transfer, polled through the real adapter and writer: its components' rows (names, detail JSON)
 * stay as first written, however often OMS advances their modification times and the store's checkpoint; the store's
 * checkpoint is a state value at every poll; and every answer, modification times included, reads back from the raw
 * answers as OMS sent it.
 */
class OmsComponentRowsTest {
    private static final Instant EPOCH = Instant.parse("2026-06-01T00:00:00Z");
    /** SLOW_FLAKY: in full transfer from 780 s, with its store (the incremental log pull) and its full import component. */
    private static final double FULL_TRANSFER = 1_200;
    private HikariDataSource ds;

    @BeforeEach
    void open() {
        ds = HistoryDatabase.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null);
        HistoryDatabase.migrate(ds);
    }

    @AfterEach
    void close() {
        ds.close();
    }

    @Test
    void componentRowsStayWhileTheirTimesAreStateAndRawAnswers() throws Exception {
        OmsAnswers answers = new OmsAnswers(Map.of("np_1", OmsScenario.SLOW_FLAKY), EPOCH);
        HistoryStore store = new HistoryStore(ds);
        Map<String, String> firstDetails = null;
        List<Instant> polls = new ArrayList<>();
        List<Map<String, String>> sent = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            Instant at = EPOCH.plusSeconds((long) FULL_TRANSFER + 20L * p);
            Map<String, String> bodies = answers.at("np_1", FULL_TRANSFER + 20 * p);
            store.write(snapshot(at, bodies));
            polls.add(at);
            sent.add(bodies);
            Map<String, String> details = details();
            assertEquals(Map.of("STORE", true, "FULL_IMPORT", true), Map.of("STORE", details.containsKey("STORE"),
                    "FULL_IMPORT", details.containsKey("FULL_IMPORT")), "both components are in the answer");
            if (firstDetails == null) {
                firstDetails = details;
            }
            assertEquals(firstDetails, details, "the component rows after poll " + p);
        }
        try (Connection c = ds.getConnection()) {
            for (int p = 0; p < polls.size(); p++) {
                JsonNode store0 = Json.parse(sent.get(p).get("DescribeProjectComponents")).path("Data").path("StoreList").path(0);
                // the store's end safe checkpoint and its sampling time (Gmt) as of this poll
                assertEquals(List.of(LocalDateTime.parse(store0.path("EndCheckpoint").asText()),
                                LocalDateTime.ofEpochSecond(store0.path("Gmt").asLong(), 0, ZoneOffset.UTC)),
                        storeCheckpointAsOf(c, polls.get(p)), "the store's checkpoint as of poll " + p);
                // what OMS said, modification times included, as it said it
                List<RawBodies.Answer> raw = RawBodies.read(c, "src", "np_1", polls.get(p), polls.get(p), 10);
                Map<String, String> read = new LinkedHashMap<>();
                raw.forEach(a -> read.put(a.body().api(), a.body().body()));
                assertEquals(sent.get(p), read, "the answers of poll " + p);
            }
        }
    }

    private Map<String, String> details() throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT kind, detail_json FROM component ORDER BY kind");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static List<Object> storeCheckpointAsOf(Connection c, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT s.checkpoint_at, s.checkpoint_sampled_at FROM component_sample s "
                + "WHERE s.kind = 'STORE' AND s.polled_at = (SELECT MAX(b.polled_at) FROM component_sample b "
                + "WHERE b.kind = 'STORE' AND b.polled_at <= ?)")) {
            new SqlRow(ps).time(at);
            try (ResultSet rs = ps.executeQuery()) {
                assertEquals(true, rs.next(), "a store row at or before " + at);
                assertNotNull(rs.getObject(1));
                return List.of(rs.getObject(1, LocalDateTime.class), rs.getObject(2, LocalDateTime.class));
            }
        }
    }

    private static TaskSnapshot snapshot(Instant at, Map<String, String> bodies) throws Exception {
        SourceConfig source = new SourceConfig("src", Provider.OMS, URI.create("https://example.invalid"), "cn-hangzhou",
                List.of("np_1"), Duration.ofSeconds(20), "id", Secret.of("s"), null, SignatureMethod.ACS3_HMAC_SHA256, null,
                Duration.ofSeconds(5), Duration.ofSeconds(10));
        OmsAdapter oms = new OmsAdapter();
        List<ApiResponse> responses = new ArrayList<>();
        List<ApiCall> calls = new ArrayList<>();
        List<RawBody> raw = new ArrayList<>();
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            ApiResponse r = new ApiResponse(e.getKey(), 1, at, 40, 200, "application/json", null, e.getValue(), null);
            responses.add(r);
            calls.add(oms.classify(r));
            raw.add(new RawBody(e.getKey(), ContentHash.of(e.getValue()), "application/json", e.getValue()));
        }
        TaskContent content = oms.map(source, "np_1", responses);
        return new TaskSnapshot(UUID.randomUUID().toString(), "src", "oms", "np_1", at, content.task(), content.steps(),
                content.components(), content.errors(), calls, raw);
    }
}
