package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * On PostgreSQL, raw_body (more than half of what the history stores) is partitioned by day of received_at, so that
 * its retention drops whole days instead of deleting rows: no dead tuples for VACUUM to chase, no time index to
 * keep (which would cost as many bytes per poll as the row's own key).
 *
 * <p>Why it is safe to drop a day: the writer starts a new raw keyframe at the first poll of each UTC day
 * (HistoryStore.writeRaw), so no delta refers to a keyframe in another day's partition. The day partitions are
 * named raw_body_pYYYYMMDD; raw_body_until_YYYYMMDD holds the rows written before the table was partitioned (its
 * deltas may span days, so it goes only as a whole, when its newest day is past retention); raw_body_default catches
 * a row of a day that has no partition (a journal replayed after a long outage, a clock far ahead) and is pruned
 * row by row like H2. Raw bodies are therefore kept at least the raw retention, and at most a day longer.
 */
final class RawPartitions {
    static final String DEFAULT = "raw_body_default";
    private static final String DAY_PREFIX = "raw_body_p";
    private static final String LEGACY_PREFIX = "raw_body_until_";
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    /** Days created ahead, so that a poll never waits for maintenance to find its partition. */
    static final int DAYS_AHEAD = 2;

    private RawPartitions() {
    }

    /** Whether raw_body is a partitioned table here (PostgreSQL after V4; never on H2). */
    static boolean partitioned(Connection c) throws SQLException {
        if (DatabaseProduct.of(c) != DatabaseProduct.POSTGRESQL) {
            return false;
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT relkind FROM pg_class WHERE oid = to_regclass('raw_body')")) {
            return rs.next() && "p".equals(rs.getString(1));
        }
    }

    /**
     * Turns the plain raw_body of V3 into a partitioned one (the V4 migration). Its rows stay where they are: the old
     * table becomes the partition of everything before tomorrow, or is dropped if empty.
     */
    static void partition(Connection c, LocalDate today) throws SQLException {
        LocalDate tomorrow = today.plusDays(1);
        Instant newest;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(received_at) FROM raw_body")) {
            rs.next();
            newest = (Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME);
        }
        boolean empty = newest == null;
        if (newest != null && !LocalDate.ofInstant(newest, ZoneOffset.UTC).isBefore(tomorrow)) {
            tomorrow = LocalDate.ofInstant(newest, ZoneOffset.UTC).plusDays(1); // rows from a clock that ran ahead
        }
        String legacy = LEGACY_PREFIX + DAY.format(tomorrow);
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE raw_body RENAME TO " + legacy);
            st.execute("ALTER INDEX raw_body_pkey RENAME TO " + legacy + "_pkey");
            st.execute("ALTER INDEX raw_body_time RENAME TO " + legacy + "_time");
            st.execute("ALTER INDEX raw_body_base RENAME TO " + legacy + "_base");
            st.execute("CREATE TABLE raw_body ("
                    + "task_ref INTEGER NOT NULL REFERENCES task (id), "
                    + "received_at TIMESTAMP NOT NULL, "
                    + "api VARCHAR(64) NOT NULL, "
                    + "encoding VARCHAR(10) NOT NULL, "
                    + "base_at TIMESTAMP, "
                    + "content_type VARCHAR(200), "
                    + "body BYTEA NOT NULL, "
                    + "PRIMARY KEY (task_ref, received_at, api)) PARTITION BY RANGE (received_at)");
            // the default partition is pruned by time (HistoryMaintenance), and a keyframe kept while a delta needs it
            st.execute("CREATE TABLE " + DEFAULT + " PARTITION OF raw_body DEFAULT");
            st.execute("CREATE INDEX " + DEFAULT + "_time ON " + DEFAULT + " (received_at)");
            st.execute("CREATE INDEX " + DEFAULT + "_base ON " + DEFAULT + " (task_ref, base_at)");
            if (empty) {
                st.execute("DROP TABLE " + legacy);
            } else {
                // one scan of the old rows, to prove they fit the bound; the upgrade's only cost that grows with the history
                st.execute("ALTER TABLE raw_body ATTACH PARTITION " + legacy + " FOR VALUES FROM (MINVALUE) TO ('" + tomorrow + "')");
            }
        }
        ensure(c, today, today.plusDays(DAYS_AHEAD));
    }

    /** Creates the missing day partitions from first to last (inclusive); returns how many. */
    static int ensure(Connection c, LocalDate first, LocalDate last) throws SQLException {
        List<String> existing = partitions(c);
        int created = 0;
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            String name = DAY_PREFIX + DAY.format(d);
            if (existing.contains(name) || coveredByLegacy(existing, d)) {
                continue;
            }
            try (Statement st = c.createStatement()) {
                // rows of that day that went to the default partition move into it first, or ATTACH would refuse
                st.execute("CREATE TABLE " + name + " (LIKE raw_body INCLUDING DEFAULTS)");
                Instant from = d.atStartOfDay(ZoneOffset.UTC).toInstant();
                Instant to = d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                try (PreparedStatement move = c.prepareStatement("WITH moved AS (DELETE FROM " + DEFAULT
                        + " WHERE received_at >= ? AND received_at < ? RETURNING *) INSERT INTO " + name + " SELECT * FROM moved")) {
                    new SqlRow(move).time(from).time(to);
                    move.executeUpdate();
                }
                st.execute("ALTER TABLE raw_body ATTACH PARTITION " + name + " FOR VALUES FROM ('" + d + "') TO ('" + d.plusDays(1) + "')");
            }
            created++;
        }
        return created;
    }

    /** Drops the partitions whose every row is older than before; returns their names. */
    static List<String> dropBefore(Connection c, Instant before) throws SQLException {
        LocalDate limit = LocalDate.ofInstant(before, ZoneOffset.UTC);
        List<String> dropped = new ArrayList<>();
        for (String name : partitions(c)) {
            LocalDate end;
            if (name.startsWith(DAY_PREFIX)) {
                end = LocalDate.parse(name.substring(DAY_PREFIX.length()), DAY).plusDays(1);
            } else if (name.startsWith(LEGACY_PREFIX)) {
                end = LocalDate.parse(name.substring(LEGACY_PREFIX.length()), DAY);
            } else {
                continue;
            }
            if (!end.isAfter(limit)) {
                try (Statement st = c.createStatement()) {
                    // dropping a partition locks raw_body briefly: give up rather than queue writers behind a long reader
                    st.execute("SET LOCAL lock_timeout = '2s'");
                    st.execute("DROP TABLE " + name);
                }
                dropped.add(name);
            }
        }
        return dropped;
    }

    private static boolean coveredByLegacy(List<String> existing, LocalDate d) {
        return existing.stream().filter(n -> n.startsWith(LEGACY_PREFIX))
                .anyMatch(n -> d.isBefore(LocalDate.parse(n.substring(LEGACY_PREFIX.length()), DAY)));
    }

    private static List<String> partitions(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid "
                     + "WHERE i.inhparent = to_regclass('raw_body') ORDER BY p.relname")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
