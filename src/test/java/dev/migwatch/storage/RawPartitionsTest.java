package dev.migwatch.storage;

import dev.migwatch.PostgresSchema;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.MovableClock;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL's day partitions of raw_body: the upgrade from the plain table keeps every answer readable, retention
 * drops whole days and never a keyframe that a kept delta needs, and a row of a day without a partition lands in the
 * default partition and moves into its day when that is created.
 */
class RawPartitionsTest {
    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    private PostgresSchema schema;
    private HikariDataSource db;
    /** Every raw answer written, by poll time: what a read must give back while it is within retention. */
    private final Map<Instant, String> written = new TreeMap<>();
    private final MovableClock clock = new MovableClock(Instant.now());

    @BeforeEach
    void open() throws SQLException {
        schema = PostgresSchema.create("p");
        db = schema.db();
    }

    @AfterEach
    void close() throws SQLException {
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    void daysOfRawAnswersArePartitionsThatRetentionDrops() throws Exception {
        // two days written by the release before partitions (schema version 3)
        Flyway.configure().dataSource(db).locations("classpath:db/migwatch").table("migwatch_schema_history")
                .placeholders(HistoryDatabase.placeholders(db)).target("3")
                // today's views (R__) name columns of later versions (V5, V6); that release had its own
                .repeatableSqlMigrationPrefix("NOT_IN_V3__").load().migrate();
        Instant start = TODAY.minusDays(3).atStartOfDay(ZoneOffset.UTC).toInstant();
        writeAsVersion3(start, start.plus(Duration.ofDays(2)));
        assertFalse(partitioned());

        HistoryDatabase.migrate(db);
        assertTrue(partitioned());
        // V19: the default partition, pruned row by row, has no index by keyframe left (retention goes by UTC day)
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                     + "AND indexname = 'raw_body_default_base'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
        assertEquals(List.of("raw_body_default", "raw_body_p" + day(TODAY.plusDays(1)), "raw_body_p" + day(TODAY.plusDays(2)),
                "raw_body_until_" + day(TODAY.plusDays(1))), partitions(), "the old rows are a partition up to tomorrow");
        assertEquals(written, readAll(), "every answer written before the upgrade reads back");

        // ten more days, maintenance every six hours with raw answers kept three days
        HistoryStore store = new HistoryStore(db, clock);
        Retention retention = new Retention(Duration.ofDays(30), Duration.ofDays(3), Duration.ofDays(30), Duration.ofDays(730),
                Duration.ofDays(90), Duration.ofDays(365));
        Instant from = TODAY.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (int d = 0; d < 40; d++) {
            Instant to = from.plus(Duration.ofHours(6));
            write(store, from, to);
            clock.set(to);
            new HistoryMaintenance(db, retention, clock, Duration.ofMinutes(5)).run();
            from = to;
        }
        Instant now = clock.instant(); // TODAY + 11 days, 00:00
        LocalDate oldestKept = LocalDate.ofInstant(now.minus(retention.raw()), ZoneOffset.UTC);
        List<String> partitions = partitions();
        assertFalse(partitions.stream().anyMatch(p -> p.startsWith("raw_body_until_")), "the old rows went as a whole: " + partitions);
        assertEquals("raw_body_p" + day(oldestKept), partitions.get(1), "days before the retention limit are dropped: " + partitions);
        assertEquals(0, count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '" + oldestKept + " 00:00:00'"));
        Map<Instant, String> expected = new TreeMap<>(written);
        expected.keySet().removeIf(t -> LocalDate.ofInstant(t, ZoneOffset.UTC).isBefore(oldestKept));
        assertEquals(expected, readAll(), "every answer within retention reads back, its keyframe kept");

        // a poll of a day without a partition (a clock far ahead) goes to the default partition, then into its day
        Instant ahead = now.plus(Duration.ofDays(20));
        write(store, ahead, ahead.plus(Duration.ofHours(1)));
        assertTrue(count("SELECT COUNT(*) FROM raw_body_default") > 0);
        clock.set(ahead.plus(Duration.ofHours(2)));
        new HistoryMaintenance(db, retention, clock, Duration.ofMinutes(5)).run();
        assertEquals(0, count("SELECT COUNT(*) FROM raw_body_default"));
        assertTrue(partitions().contains("raw_body_p" + day(LocalDate.ofInstant(ahead, ZoneOffset.UTC))));
        expected.keySet().removeIf(t -> t.isBefore(clock.instant().minus(retention.raw())));
        expected.putAll(new TreeMap<>(written).tailMap(ahead));
        assertEquals(expected, readAll());
    }

    /**
     * What the writer of schema version 3 stored for those polls (it cannot be run against that schema any more): the task
     * with its pointers, a poll row each, and the raw answers as one keyframe then deltas against it, across days (it
     * started a keyframe after 240 deltas only).
     */
    private void writeAsVersion3(Instant from, Instant to) throws SQLException {
        try (Connection c = db.getConnection()) {
            try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO task (id, source, provider, task_id, first_polled_at, "
                    + "last_polled_at, last_outcome, last_ok_at) VALUES (1, 'src', 'oms', 't', ?, ?, 'OK', ?)")) {
                new SqlRow(ps).time(from).time(to.minus(Duration.ofMinutes(30))).time(to.minus(Duration.ofMinutes(30)));
                ps.executeUpdate();
            }
            st(c, "ALTER TABLE task ALTER COLUMN id RESTART WITH 2");
            RawBodyCodec.Keyframe keyframe = null;
            for (Instant at = from; at.isBefore(to); at = at.plus(Duration.ofMinutes(30))) {
                String body = body(at);
                List<RawBody> bodies = List.of(new RawBody("DescribeProject", "h", "application/json", body));
                byte[] record = RawBodyCodec.encode(bodies, keyframe);
                try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO poll (task_ref, polled_at, outcome, calls, duration_ms) "
                        + "VALUES (1, ?, 'OK', 1, 20)")) {
                    new SqlRow(ps).time(at);
                    ps.executeUpdate();
                }
                try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO raw_body (task_ref, received_at, api, encoding, "
                        + "base_at, body) VALUES (1, ?, '*', ?, ?, ?)")) {
                    new SqlRow(ps).time(at).str(keyframe == null ? "deflate" : "delta").time(keyframe == null ? null : keyframe.at())
                            .value(record, SqlRow.Col.Kind.BYTES);
                    ps.executeUpdate();
                }
                if (keyframe == null) {
                    keyframe = RawBodyCodec.keyframe(at, bodies, record.length);
                }
                written.put(at, body);
            }
        }
    }

    private static void st(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The answer at a time: its counter and request id change at each poll. */
    private static String body(Instant at) {
        long n = Duration.between(Instant.EPOCH, at).toMinutes();
        return "{\"RequestId\":\"" + UUID.randomUUID().toString().toUpperCase() + "\",\"Data\":{\"processedRecords\":" + n * 1000
                + ",\"GmtModified\":\"" + at.toString().substring(0, 19) + "\",\"Tables\":\"" + "t,".repeat(100) + "\"}}";
    }

    /** A poll every 30 minutes in [from, to), the answer's counter and request id changing at each. */
    private void write(HistoryStore store, Instant from, Instant to) throws SQLException {
        for (Instant at = from; at.isBefore(to); at = at.plus(Duration.ofMinutes(30))) {
            long n = Duration.between(Instant.EPOCH, at).toMinutes();
            String body = body(at);
            TaskState state = new TaskState("t", "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, null, 10.0, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null);
            store.write(new TaskSnapshot(UUID.randomUUID().toString(), "src", "oms", "t", at, state, List.of(), List.of(), List.of(),
                    List.of(new ApiCall("DescribeProject", 1, at, 20, 200, "q", "OK", null, null)),
                    List.of(new RawBody("DescribeProject", "h" + n, "application/json", body))));
            written.put(at, body);
        }
    }

    private Map<Instant, String> readAll() throws SQLException {
        Map<Instant, String> out = new TreeMap<>();
        try (Connection c = db.getConnection()) {
            for (RawBodies.Answer a : RawBodies.read(c, "src", "t", null, null, 100_000)) {
                out.put(a.receivedAt(), a.body().body());
            }
        }
        return out;
    }

    private boolean partitioned() throws SQLException {
        try (Connection c = db.getConnection()) {
            return RawPartitions.partitioned(c);
        }
    }

    private List<String> partitions() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid "
                     + "WHERE i.inhparent = to_regclass('raw_body') ORDER BY p.relname")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String day(LocalDate d) {
        return d.toString().replace("-", "");
    }
}
