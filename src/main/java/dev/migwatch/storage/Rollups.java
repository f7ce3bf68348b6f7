package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Computes metric_rollup. A 5-minute bucket aggregates, for every task, step and component metric, the value
 * as of each successful poll of the task in the bucket: exactly what the full-resolution samples say at those
 * polls (a value that did not change for an hour still counts once per poll). An hour aggregates its twelve
 * 5-minute buckets (count-weighted average). Buckets are computed once they are closed; a cycle that reaches
 * the database later than that (the journal after an outage) moves the mark back (HistoryStore), and the
 * buckets from there on are computed again.
 */
final class Rollups {
    static final int FIVE_MINUTES = 300;
    static final int HOUR = 3600;

    private Rollups() {
    }

    /** Where each period's rollups are complete; the first call starts at the oldest poll. */
    static Instant mark(Connection c, int period) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT done_until FROM rollup_mark WHERE period_s = ?")) {
            ps.setInt(1, period);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return (Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME);
                }
            }
        }
        Instant oldest;
        try (PreparedStatement ps = c.prepareStatement("SELECT MIN(polled_at) FROM poll");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            oldest = (Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME);
        }
        Instant start = oldest == null ? null : floor(oldest, period);
        if (start != null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollup_mark (period_s, done_until) VALUES (?, ?)")) {
                new SqlRow(ps).integer(period).time(start);
                ps.executeUpdate();
            }
        }
        return start;
    }

    static Instant floor(Instant t, int period) {
        long s = t.getEpochSecond();
        return Instant.ofEpochSecond(s - Math.floorMod(s, period));
    }

    /** Moves both marks back to the bucket of a cycle written late, so that its buckets are computed again. */
    static void invalidate(Connection c, Instant polledAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE rollup_mark SET done_until = ? WHERE done_until > ?")) {
            Instant bucket = floor(polledAt, HOUR);
            new SqlRow(ps).time(bucket).time(bucket);
            ps.executeUpdate();
        }
    }

    /** Computes the 5-minute buckets in [from, to) and moves the mark to "to", in one transaction. */
    static int fiveMinutes(Connection c, Instant from, Instant to) throws SQLException {
        delete(c, FIVE_MINUTES, from, to);
        List<Integer> tasks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT task_ref FROM poll WHERE outcome = 'OK' "
                + "AND polled_at >= ? AND polled_at < ?")) {
            new SqlRow(ps).time(from).time(to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tasks.add(rs.getInt(1));
                }
            }
        }
        int rows = 0;
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (int task : tasks) {
                List<Instant> polls = polls(c, task, from, to);
                Map<String, Agg> aggs = new TreeMap<>();
                accumulate(c, 'T', "task_state", "task_ref", "SELECT id FROM task WHERE id = ?", task, from, to, polls, aggs);
                accumulate(c, 'S', "step_state", "step_ref", "SELECT id FROM step WHERE task_ref = ?", task, from, to, polls, aggs);
                accumulate(c, 'C', "component_state", "component_ref", "SELECT id FROM component WHERE task_ref = ?", task, from, to,
                        polls, aggs);
                for (Agg a : aggs.values()) {
                    a.bind(insert, FIVE_MINUTES);
                    insert.addBatch();
                    rows++;
                }
                insert.executeBatch();
            }
        }
        setMark(c, FIVE_MINUTES, to);
        return rows;
    }

    /** Computes the hours in [from, to) from their 5-minute buckets and moves the mark to "to". */
    static int hours(Connection c, Instant from, Instant to) throws SQLException {
        delete(c, HOUR, from, to);
        Map<String, Agg> aggs = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT entity, entity_ref, metric, bucket_start, min_value, max_value, "
                + "avg_value, last_value, sample_count FROM metric_rollup WHERE period_s = ? AND bucket_start >= ? AND bucket_start < ? "
                + "ORDER BY bucket_start")) {
            new SqlRow(ps).integer(FIVE_MINUTES).time(from).time(to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    char entity = rs.getString(1).charAt(0);
                    int ref = rs.getInt(2);
                    String metric = rs.getString(3);
                    Instant bucket = floor((Instant) SqlRow.read(rs, 4, SqlRow.Col.Kind.TIME), HOUR);
                    aggs.computeIfAbsent(entity + "/" + ref + "/" + metric + "/" + bucket, k -> new Agg(entity, ref, metric, bucket))
                            .merge(rs.getDouble(5), rs.getDouble(6), rs.getDouble(7), rs.getDouble(8), rs.getInt(9));
                }
            }
        }
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            for (Agg a : aggs.values()) {
                a.bind(insert, HOUR);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        setMark(c, HOUR, to);
        return aggs.size();
    }

    private static final String INSERT = "INSERT INTO metric_rollup (entity, entity_ref, metric, period_s, bucket_start, "
            + "min_value, max_value, avg_value, last_value, sample_count) VALUES (?,?,?,?,?,?,?,?,?,?)";

    private static void delete(Connection c, int period, Instant from, Instant to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM metric_rollup WHERE period_s = ? AND bucket_start >= ? "
                + "AND bucket_start < ?")) {
            new SqlRow(ps).integer(period).time(from).time(to);
            ps.executeUpdate();
        }
    }

    private static void setMark(Connection c, int period, Instant to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE rollup_mark SET done_until = ? WHERE period_s = ?")) {
            new SqlRow(ps).time(to).integer(period);
            ps.executeUpdate();
        }
    }

    private static List<Instant> polls(Connection c, int task, Instant from, Instant to) throws SQLException {
        List<Instant> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT polled_at FROM poll WHERE task_ref = ? AND outcome = 'OK' "
                + "AND polled_at >= ? AND polled_at < ? ORDER BY polled_at")) {
            new SqlRow(ps).integer(task).time(from).time(to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add((Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME));
                }
            }
        }
        return out;
    }

    /**
     * Walks the state rows of one kind of entity of a task (the row in force at from, then every row up to to)
     * alongside the task's successful polls, adding each poll's as-of value to its bucket.
     */
    private static void accumulate(Connection c, char entity, String table, String ref, String entities, int task, Instant from,
                                   Instant to, List<Instant> polls, Map<String, Agg> aggs) throws SQLException {
        List<RollupMetric> metrics = RollupMetric.of(entity);
        String columns = metrics.stream().map(m -> m.column).collect(Collectors.joining(", "));
        String present = entity == 'T' ? "TRUE" : "s.present";
        // d: each entity once, so that the row in force at "from" is looked up once per entity, not once per row
        String sql = "SELECT s." + ref + ", s.polled_at, " + present + ", " + columns + " FROM (" + entities + ") d JOIN " + table
                + " s ON s." + ref + " = d.id WHERE s.polled_at >= " + AsOf.rowInForce(table, ref, "d.id") + " AND s.polled_at < ?"
                + " ORDER BY s.polled_at";
        Map<Integer, Double[]> current = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            List<Object> args = new ArrayList<>();
            AsOf.args(args, from, null);
            SqlRow r = new SqlRow(ps).integer(task);
            for (Object a : args) {
                r.time((Instant) a);
            }
            r.time(to);
            try (ResultSet rs = ps.executeQuery()) {
                int next = 0;
                while (rs.next()) {
                    Instant at = (Instant) SqlRow.read(rs, 2, SqlRow.Col.Kind.TIME);
                    while (next < polls.size() && polls.get(next).isBefore(at)) {
                        add(entity, current, metrics, polls.get(next++), aggs);
                    }
                    Double[] v = null;
                    if (rs.getBoolean(3)) {
                        v = new Double[metrics.size()];
                        for (int i = 0; i < v.length; i++) {
                            double d = rs.getDouble(4 + i);
                            v[i] = rs.wasNull() ? null : d;
                        }
                    }
                    current.put(rs.getInt(1), v);
                }
                while (next < polls.size()) {
                    add(entity, current, metrics, polls.get(next++), aggs);
                }
            }
        }
    }

    private static void add(char entity, Map<Integer, Double[]> current, List<RollupMetric> metrics, Instant poll,
                            Map<String, Agg> aggs) {
        Instant bucket = floor(poll, FIVE_MINUTES);
        current.forEach((id, v) -> {
            if (v == null) {
                return;
            }
            for (int i = 0; i < v.length; i++) {
                if (v[i] != null && !v[i].isNaN()) {
                    RollupMetric m = metrics.get(i);
                    aggs.computeIfAbsent(entity + "/" + id + "/" + m.metric + "/" + bucket, k -> new Agg(entity, id, m.metric, bucket))
                            .merge(v[i], v[i], v[i], v[i], 1);
                }
            }
        });
    }

    /** min, max, count-weighted average, last and count of one series in one bucket. */
    private static final class Agg {
        final char entity;
        final int ref;
        final String metric;
        final Instant bucket;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum;
        double last;
        int count;

        Agg(char entity, int ref, String metric, Instant bucket) {
            this.entity = entity;
            this.ref = ref;
            this.metric = metric;
            this.bucket = bucket;
        }

        /** Merged in time order, so the last merged part holds the bucket's last value. */
        void merge(double min, double max, double avg, double last, int count) {
            this.min = Math.min(this.min, min);
            this.max = Math.max(this.max, max);
            this.sum += avg * count;
            this.last = last;
            this.count += count;
        }

        void bind(PreparedStatement ps, int period) throws SQLException {
            new SqlRow(ps).str(String.valueOf(entity)).integer(ref).str(metric).integer(period).time(bucket)
                    .value(min, SqlRow.Col.Kind.DOUBLE).value(max, SqlRow.Col.Kind.DOUBLE).value(sum / count, SqlRow.Col.Kind.DOUBLE)
                    .value(last, SqlRow.Col.Kind.DOUBLE).integer(count);
        }
    }
}
