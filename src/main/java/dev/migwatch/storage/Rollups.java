package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Computes metric_rollup. A bucket (5 minutes or an hour) aggregates, for every task, step and component metric, the
 * value as of each successful poll of the task in the bucket: exactly what the full-resolution samples say at those
 * polls (a value that did not change for an hour still counts once per poll). Rows are change-only, like the state
 * rows: a bucket that only repeats the previous stored bucket's last value is not written (see compute), and a reader
 * takes the value as of a bucket from the newest row at or before it. Buckets are computed once they are closed; a
 * cycle that reaches the database later than that (the journal after an outage) moves the mark back (HistoryStore),
 * and the buckets from there on are computed again.
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
        int rows = compute(c, FIVE_MINUTES, from, to);
        setMark(c, FIVE_MINUTES, to);
        return rows;
    }

    /**
     * Computes the hours in [from, to) and moves the mark to "to". Like the 5-minute buckets, from the polls and the
     * state rows, not from the 5-minute rows: those are change-only too, and a 5-minute bucket left out does not say
     * how many polls it had, which the hour's count and average need.
     */
    static int hours(Connection c, Instant from, Instant to) throws SQLException {
        int rows = compute(c, HOUR, from, to);
        setMark(c, HOUR, to);
        return rows;
    }

    /**
     * Writes the buckets of one period in [from, to), change-only: a bucket is left out when its series held one value
     * at every poll that had one (min = max = last) and that value is the last value of the series' previous stored
     * bucket. A series that had a value in the previous stored bucket and none at any poll of this one (its step left
     * the answer, its value became null) gets a row with sample_count 0 that ends the carrying. A bucket without a
     * successful poll gets no row either way: readers carry the previous value through it, as they do for samples.
     */
    private static int compute(Connection c, int period, Instant from, Instant to) throws SQLException {
        delete(c, period, from, to);
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
                Map<Series, TreeMap<Instant, Agg>> aggs = new TreeMap<>();
                for (char entity : ENTITIES) {
                    accumulate(c, entity, task, from, to, period, polls, aggs);
                }
                Map<Series, Agg> previous = previous(c, task, period, from);
                TreeSet<Instant> polled = new TreeSet<>();
                polls.forEach(p -> polled.add(floor(p, period)));
                TreeSet<Series> series = new TreeSet<>(aggs.keySet());
                series.addAll(previous.keySet());
                for (Series s : series) {
                    Agg prev = previous.get(s);
                    TreeMap<Instant, Agg> buckets = aggs.getOrDefault(s, new TreeMap<>());
                    for (Instant bucket : polled) {
                        Agg a = buckets.get(bucket);
                        Agg write;
                        if (a != null) {
                            write = prev != null && prev.count > 0 && a.constant() && a.last == prev.last ? null : a;
                        } else {
                            write = prev != null && prev.count > 0 ? Agg.ended(s, bucket, prev.last) : null;
                        }
                        if (write != null) {
                            write.bind(insert, period);
                            insert.addBatch();
                            rows++;
                            prev = write;
                        }
                    }
                }
                insert.executeBatch();
            }
        }
        return rows;
    }

    private static final char[] ENTITIES = {'T', 'S', 'C'};

    /** One rollup series: metric_rollup's key without period and bucket. */
    record Series(char entity, int ref, String metric) implements Comparable<Series> {
        @Override
        public int compareTo(Series o) {
            int c = Character.compare(entity, o.entity);
            c = c != 0 ? c : Integer.compare(ref, o.ref);
            return c != 0 ? c : metric.compareTo(o.metric);
        }
    }

    /** The entities of a task of one kind, each with the state table that holds its rows. */
    private static String entities(char entity) {
        return switch (entity) {
            case 'T' -> "SELECT id FROM task WHERE id = ?";
            case 'S' -> "SELECT id FROM step WHERE task_ref = ?";
            default -> "SELECT id FROM component WHERE task_ref = ?";
        };
    }

    private static StateTable table(char entity) {
        return switch (entity) {
            case 'T' -> StateTable.TASK;
            case 'S' -> StateTable.STEP;
            default -> StateTable.COMPONENT;
        };
    }

    /**
     * The stored bucket in force at "from" of every series of a task (its newest row before from), in one query: what
     * a bucket from "from" on is compared with. d pairs each entity with each of its metrics, so that the search runs
     * once per series, not once per stored row.
     */
    private static Map<Series, Agg> previous(Connection c, int task, int period, Instant from) throws SQLException {
        List<String> parts = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        boolean stepped = AsOf.stepped(c);
        for (char entity : ENTITIES) {
            String metrics = RollupMetric.of(entity).stream().map(m -> "('" + m.metric + "')").collect(Collectors.joining(", "));
            String key = RollupMetric.entityIs("b.entity", entity) + " AND b.entity_ref = d.id AND b.metric = m.metric AND b.period_s = ?";
            // x first (OFFSET 0 keeps PostgreSQL from merging it into the rest), then that row's values by its whole primary key
            // in scalar subqueries: as a join, a generic plan over young statistics read every row of the entity kind instead
            String row = " FROM metric_rollup r WHERE " + RollupMetric.entityIs("r.entity", entity) + " AND r.entity_ref = x.id AND r.metric = x.metric"
                    + " AND r.period_s = ? AND r.bucket_start = x.at)";
            parts.add("SELECT '" + entity + "', x.id, x.metric, (SELECT r.last_value" + row + ", (SELECT r.sample_count" + row
                    + ", x.at FROM (SELECT d.id, m.metric, " + AsOf.rowInForce("metric_rollup", "bucket_start", key, "?",
                    stepped ? AsOf.parameters() : List.of()) + " AS at FROM (" + entities(entity) + ") d CROSS JOIN (VALUES " + metrics
                    + ") m(metric) OFFSET 0 ROWS) x");
            args.add(period);
            args.add(period);
            AsOf.argsFor(args, from.minusNanos(1000), List.of(period), stepped);
            args.add(task);
        }
        Map<Series, Agg> out = new HashMap<>();
        // one SELECT around the union: H2 keeps a prepared SELECT for the next run of the same text, but parses a bare
        // UNION again at every run (this one, with its nested searches, 1 ms a task and bucket under C1)
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM (" + String.join(" UNION ALL ", parts) + ") u")) {
            SqlRow r = new SqlRow(ps);
            for (Object a : args) {
                if (a instanceof Instant i) {
                    r.time(i);
                } else {
                    r.integer((Integer) a);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getInt(5);
                    if (rs.wasNull()) {
                        continue; // no row before "from"
                    }
                    Series s = new Series(rs.getString(1).charAt(0), rs.getInt(2), rs.getString(3));
                    Agg a = new Agg(s, (Instant) SqlRow.read(rs, 6, SqlRow.Col.Kind.TIME));
                    a.last = rs.getDouble(4);
                    a.count = rs.getInt(5);
                    out.put(s, a);
                }
            }
        }
        return out;
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
    private static void accumulate(Connection c, char entity, int task, Instant from, Instant to, int period, List<Instant> polls,
                                   Map<Series, TreeMap<Instant, Agg>> aggs) throws SQLException {
        List<RollupMetric> metrics = RollupMetric.of(entity);
        StateTable t = table(entity);
        String columns = metrics.stream().map(m -> m.column).collect(Collectors.joining(", "));
        String present = entity == 'T' ? "TRUE" : "s.present";
        // Each entity's row in force at "from" first, once per entity; then each entity's rows from there, its key and both
        // bounds constants. In one statement, with the bound a condition of the join, PostgreSQL (whose statistics of a
        // task's few entities promise few rows) read the whole state table and searched the row in force again for every
        // row: 4 s for an hour of one task after 23 days of 30-second polls, growing with the history.
        Map<Integer, Instant> lows = new LinkedHashMap<>();
        boolean stepped = AsOf.stepped(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT d.id, " + AsOf.rowInForce(t.table, "polled_at", "b." + t.refColumn
                + " = d.id", "?", stepped ? AsOf.parameters() : List.of()) + " FROM (" + entities(entity) + ") d")) {
            List<Object> args = new ArrayList<>();
            AsOf.argsFor(args, from, List.of(), stepped);
            SqlRow r = new SqlRow(ps);
            for (Object a : args) {
                r.time((Instant) a);
            }
            r.integer(task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lows.put(rs.getInt(1), (Instant) SqlRow.read(rs, 2, SqlRow.Col.Kind.TIME));
                }
            }
        }
        if (lows.isEmpty()) {
            return;
        }
        String sql = "SELECT * FROM (" + lows.keySet().stream().map(id -> "SELECT s." + t.refColumn + ", s.polled_at, " + present + ", "
                + columns + " FROM " + t.table + " s WHERE s." + t.refColumn + " = ? AND s.polled_at >= ? AND s.polled_at < ?")
                .collect(Collectors.joining(" UNION ALL ")) + ") u ORDER BY 2";
        Map<Integer, Double[]> current = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlRow r = new SqlRow(ps);
            for (Map.Entry<Integer, Instant> e : lows.entrySet()) {
                r.integer(e.getKey()).time(e.getValue()).time(to);
            }
            try (ResultSet rs = ps.executeQuery()) {
                int next = 0;
                while (rs.next()) {
                    Instant at = (Instant) SqlRow.read(rs, 2, SqlRow.Col.Kind.TIME);
                    while (next < polls.size() && polls.get(next).isBefore(at)) {
                        add(entity, current, metrics, polls.get(next++), period, aggs);
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
                    add(entity, current, metrics, polls.get(next++), period, aggs);
                }
            }
        }
    }

    private static void add(char entity, Map<Integer, Double[]> current, List<RollupMetric> metrics, Instant poll, int period,
                            Map<Series, TreeMap<Instant, Agg>> aggs) {
        Instant bucket = floor(poll, period);
        current.forEach((id, v) -> {
            if (v == null) {
                return;
            }
            for (int i = 0; i < v.length; i++) {
                if (v[i] != null && !v[i].isNaN()) {
                    Series s = new Series(entity, id, metrics.get(i).metric);
                    aggs.computeIfAbsent(s, k -> new TreeMap<>()).computeIfAbsent(bucket, b -> new Agg(s, b)).add(v[i]);
                }
            }
        });
    }

    /** min, max, average, last and count of one series in one bucket; count 0: the series has no value from here on. */
    private static final class Agg {
        final Series series;
        final Instant bucket;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum;
        double last;
        int count;

        Agg(Series series, Instant bucket) {
            this.series = series;
            this.bucket = bucket;
        }

        /**
         * The row that ends a series. Its values repeat the last one, so that SQL over metric_rollup that ignores
         * sample_count reads the series' last value rather than a made-up number.
         */
        static Agg ended(Series s, Instant bucket, double last) {
            Agg a = new Agg(s, bucket);
            a.min = last;
            a.max = last;
            a.sum = last;
            a.last = last;
            return a;
        }

        /** Added in time order, so the last added value is the bucket's last. */
        void add(double v) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            last = v;
            count++;
        }

        boolean constant() {
            return min == max && last == min;
        }

        void bind(PreparedStatement ps, int period) throws SQLException {
            new SqlRow(ps).str(String.valueOf(series.entity())).integer(series.ref()).str(series.metric()).integer(period).time(bucket)
                    .value(min, SqlRow.Col.Kind.DOUBLE).value(max, SqlRow.Col.Kind.DOUBLE)
                    .value(count == 0 ? sum : sum / count, SqlRow.Col.Kind.DOUBLE).value(last, SqlRow.Col.Kind.DOUBLE).integer(count);
        }
    }
}
