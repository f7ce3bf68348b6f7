package dev.migwatch.it;

import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.storage.RawBodies;
import org.apache.camel.CamelContext;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Helpers for the fault-injection integration tests: they all run the real routes (camel-main with
 * {@code MigwatchConfiguration}) against a {@link ProviderSimulator} on an ephemeral port, with sources
 * passed as {@code migwatch.*} System properties, and check the H2 history database afterwards.
 */
final class FaultTestSupport {
    private FaultTestSupport() {
    }

    static ProviderSimulator start(SimulatorSettings settings) {
        try {
            return new ProviderSimulator(settings, 0).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Collects migwatch.* properties for the sources of one test class. */
    static final class Sources {
        final Map<String, String> props = new LinkedHashMap<>();
        private final ProviderSimulator sim;

        Sources(ProviderSimulator sim) {
            this.sim = sim;
        }

        Sources oms(String name, String interval, String tasks) {
            return alibaba(name, "oms", interval, tasks);
        }

        Sources dts(String name, String interval, String tasks) {
            alibaba(name, "dts", interval, tasks);
            return set(name, "region", "cn-hangzhou").set(name, "signature-method", "HMAC-SHA1");
        }

        Sources udts(String name, String interval, String tasks) {
            common(name, "udts", interval, tasks);
            return set(name, "public-key", sim.settings().ucloudPublicKey()).set(name, "private-key", sim.settings().ucloudPrivateKey());
        }

        Sources set(String source, String key, String value) {
            props.put("migwatch.sources." + source + "." + key, value);
            return this;
        }

        Sources global(String key, String value) {
            props.put(key, value);
            return this;
        }

        private Sources alibaba(String name, String provider, String interval, String tasks) {
            common(name, provider, interval, tasks);
            return set(name, "access-key-id", sim.settings().accessKeyId()).set(name, "access-key-secret", sim.settings().accessKeySecret());
        }

        private void common(String name, String provider, String interval, String tasks) {
            set(name, "provider", provider).set(name, "endpoint", sim.baseUri().toString()).set(name, "tasks", tasks)
                    .set(name, "interval", interval);
            // these tests poll every few hundred milliseconds for other reasons than the rate limit: a budget that never
            // binds (RateLimitTest and the discovery tests set their own)
            set(name, "max-requests-per-second", "1000");
        }

        /** The properties; SimulatedSourcesTest installs them when the class runs, never at class loading. */
        Map<String, String> build() {
            return Map.copyOf(props);
        }

    }

    static DataSource db(CamelContext context) {
        return context.getRegistry().lookupByNameAndType("migwatchDataSource", DataSource.class);
    }

    static long count(DataSource db, String sql, Object... args) throws SQLException {
        return Long.parseLong(String.valueOf(rows(db, sql, args).get(0).values().iterator().next()));
    }

    static List<String> column(DataSource db, String sql, Object... args) throws SQLException {
        List<String> values = new ArrayList<>();
        for (Map<String, Object> row : rows(db, sql, args)) {
            Object v = row.values().iterator().next();
            values.add(v == null ? null : v.toString());
        }
        return values;
    }

    /** Rows as column-label (upper case) to value maps, in query order. */
    static List<Map<String, Object>> rows(DataSource db, String sql, Object... args) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof java.sql.Timestamp t) {
                            v = t.toInstant();
                        } else if (v instanceof java.sql.Clob clob) {
                            v = clob.getSubString(1, (int) clob.length());
                        }
                        row.put(md.getColumnLabel(i).toUpperCase(java.util.Locale.ROOT), v);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /**
     * The raw answers stored for a task between two times (inclusive), decoded from raw_body (compressed, not
     * readable in SQL), newest first.
     */
    static List<RawBodies.Answer> rawBodies(DataSource db, String source, String taskId, Instant from, Instant to) throws SQLException {
        try (Connection c = db.getConnection()) {
            return RawBodies.read(c, source, taskId, from, to, 100_000);
        }
    }

    /** The stored raw answers of one API in the poll of a task at polledAt. */
    static List<RawBodies.Answer> rawBodiesOfApi(DataSource db, String source, String taskId, Instant polledAt, String api) throws SQLException {
        return rawBodies(db, source, taskId, polledAt, polledAt).stream().filter(a -> api.equals(a.body().api())).toList();
    }

    /**
     * Rows of task_state, step_state, component_state and task_error (first and last seen) that do not sit on a
     * successful poll of their task: a failed cycle must never leave such rows, and a state row is only ever
     * written by the successful poll at its polled_at. Counted per table, in this order.
     */
    static List<Long> rowsWithoutTheirOkPoll(DataSource db) throws SQLException {
        String okPoll = "SELECT 1 FROM poll p WHERE p.task_ref = %s AND p.polled_at = %s AND p.outcome = 'OK'";
        return List.of(
                count(db, "SELECT COUNT(*) FROM task_state s WHERE NOT EXISTS (" + okPoll.formatted("s.task_ref", "s.polled_at") + ")"),
                count(db, "SELECT COUNT(*) FROM step_state s JOIN step k ON k.id = s.step_ref WHERE NOT EXISTS ("
                        + okPoll.formatted("k.task_ref", "s.polled_at") + ")"),
                count(db, "SELECT COUNT(*) FROM component_state s JOIN component k ON k.id = s.component_ref WHERE NOT EXISTS ("
                        + okPoll.formatted("k.task_ref", "s.polled_at") + ")"),
                count(db, "SELECT COUNT(*) FROM task_error e WHERE NOT EXISTS (" + okPoll.formatted("e.task_ref", "e.first_seen") + ") "
                        + "OR NOT EXISTS (" + okPoll.formatted("e.task_ref", "e.last_seen") + ")"));
    }

    /** Rows of the task's state tables and error ledger written at polledAt (a failed cycle must have none). */
    static long stateRowsAt(DataSource db, String source, String taskId, Instant polledAt) throws SQLException {
        java.sql.Timestamp at = java.sql.Timestamp.from(polledAt);
        return count(db, "SELECT COUNT(*) FROM task_state s JOIN task t ON t.id = s.task_ref "
                        + "WHERE t.source = ? AND t.task_id = ? AND s.polled_at = ?", source, taskId, at)
                + count(db, "SELECT COUNT(*) FROM step_state s JOIN step k ON k.id = s.step_ref JOIN task t ON t.id = k.task_ref "
                        + "WHERE t.source = ? AND t.task_id = ? AND s.polled_at = ?", source, taskId, at)
                + count(db, "SELECT COUNT(*) FROM component_state s JOIN component k ON k.id = s.component_ref "
                        + "JOIN task t ON t.id = k.task_ref WHERE t.source = ? AND t.task_id = ? AND s.polled_at = ?", source, taskId, at)
                + count(db, "SELECT COUNT(*) FROM task_error e JOIN task t ON t.id = e.task_ref "
                        + "WHERE t.source = ? AND t.task_id = ? AND (e.first_seen = ? OR e.last_seen = ?)", source, taskId, at, at);
    }

    static List<Instant> times(DataSource db, String sql, Object... args) throws SQLException {
        List<Instant> out = new ArrayList<>();
        for (Map<String, Object> row : rows(db, sql, args)) {
            out.add((Instant) row.values().iterator().next());
        }
        return out;
    }

    static void execute(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Waits (bounded) until the condition holds; false when it did not within the time. */
    static boolean await(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    interface SqlCheck {
        boolean holds() throws SQLException;
    }

    static boolean awaitSql(long millis, SqlCheck check) throws InterruptedException {
        return await(millis, () -> {
            try {
                return check.holds();
            } catch (SQLException e) {
                return false;
            }
        });
    }

    /** The largest gap between consecutive instants (sorted), in ms. */
    static long maxGapMillis(List<Instant> sorted) {
        long max = 0;
        for (int i = 1; i < sorted.size(); i++) {
            max = Math.max(max, sorted.get(i).toEpochMilli() - sorted.get(i - 1).toEpochMilli());
        }
        return max;
    }
}
