package dev.migwatch.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Would another table layout keep H2's file near its live rows? (Issue #8: migwatch's H2 file grows 1.8 to 2.1 KB a
 * task-poll for about 430 bytes of rows.) Outside migwatch, on bare H2: one thread per layout, each its own H2 file, writes
 * one row of about 100 bytes per poll of one of 200 entities in turn, and updates the entity's row of a second table, in
 * one transaction, at a paced rate (H2 reuses a chunk by its age on the clock, so the rate matters), as migwatch's writer
 * does. The layouts:
 * <ul>
 *   <li>ENTITY_FIRST: primary key (entity, t), as migwatch's state tables: every poll appends at its entity's place;</li>
 *   <li>TIME_FIRST: primary key (t, entity): every poll appends at the right end (an entity's rows are then not together,
 *       so reads by entity would be slow; the layout a redesign of every read would aim at);</li>
 *   <li>HOT_COLD: entity-first rows in a small table, moved once a minute, sorted, into an entity-first one;</li>
 *   <li>CLUSTERED: a single BIGINT key entity × 2⁴⁰ + t, which H2 makes the row's own key (no separate index).</li>
 * </ul>
 * Prints the file's size at each eighth of the run, the slope over its second half, and the live bytes (a copy after
 * SHUTDOWN COMPACT). {@code mvn -B -Pbenchmark test -Dtest=H2LayoutBenchmarkTest} (-Dbench.polls=20000 -Dbench.rate=50
 * -Dbench.entities=200: 400 s; -Dbench.h2options=';WRITE_DELAY=10000' tries an H2 setting).
 */
@Tag("benchmark")
class H2LayoutBenchmarkTest {
    private static final int POLLS = Integer.getInteger("bench.polls", 20_000);
    private static final double RATE = Double.parseDouble(System.getProperty("bench.rate", "50"));
    private static final int ENTITIES = Integer.getInteger("bench.entities", 200);
    /** -Dbench.h2options=;WRITE_DELAY=10000 (say): an H2 setting for all layouts. */
    private static final String H2_OPTIONS = System.getProperty("bench.h2options", "");
    private static final String COLUMNS = "entity INT NOT NULL, t BIGINT NOT NULL, a DOUBLE, b BIGINT, c BIGINT, d VARCHAR(60)";

    enum Layout {
        ENTITY_FIRST("CREATE TABLE samples (" + COLUMNS + ", PRIMARY KEY (entity, t))"),
        TIME_FIRST("CREATE TABLE samples (" + COLUMNS + ", PRIMARY KEY (t, entity))"),
        HOT_COLD("CREATE TABLE hot (" + COLUMNS + ", PRIMARY KEY (entity, t)); CREATE TABLE samples (" + COLUMNS + ", PRIMARY KEY (entity, t))"),
        CLUSTERED("CREATE TABLE samples (id BIGINT PRIMARY KEY, " + COLUMNS + ")");

        final String ddl;

        Layout(String ddl) {
            this.ddl = ddl;
        }
    }

    @TempDir
    Path dir;

    @Test
    void fileAgainstLiveRowsByLayout() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(Layout.values().length);
        try {
            List<Future<String>> runs = new ArrayList<>();
            for (Layout layout : Layout.values()) {
                runs.add(threads.submit(() -> run(layout)));
            }
            for (Future<String> run : runs) {
                System.out.println(run.get());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private String run(Layout layout) throws Exception {
        Path file = dir.resolve(layout.name().toLowerCase());
        String url = "jdbc:h2:file:" + file.toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE" + H2_OPTIONS;
        List<long[]> sizes = new ArrayList<>(); // (polls, file bytes), every 2 s
        List<Long> eighths = new ArrayList<>();
        String chunks;
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String ddl : layout.ddl.split("; ")) {
                    st.execute(ddl);
                }
                st.execute("CREATE TABLE latest (entity INT PRIMARY KEY, t BIGINT, a DOUBLE)");
            }
            c.commit();
            String insert = "INSERT INTO " + (layout == Layout.HOT_COLD ? "hot" : "samples")
                    + (layout == Layout.CLUSTERED ? " VALUES (?, ?, ?, ?, ?, ?, ?)" : " VALUES (?, ?, ?, ?, ?, ?)");
            try (PreparedStatement ins = c.prepareStatement(insert);
                 PreparedStatement latest = c.prepareStatement("MERGE INTO latest KEY (entity) VALUES (?, ?, ?)")) {
                Random random = new Random(layout.ordinal());
                long start = System.nanoTime();
                long period = (long) (1e9 / RATE);
                long nextSize = 0;
                long nextMove = 60_000;
                for (int i = 0; i < POLLS; i++) {
                    long wait = start + i * period - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    int entity = i % ENTITIES;
                    long t = (long) i * 1000 + entity; // milliseconds of the run, distinct per entity
                    int k = 1;
                    if (layout == Layout.CLUSTERED) {
                        ins.setLong(k++, ((long) entity << 40) + t);
                    }
                    ins.setInt(k++, entity);
                    ins.setLong(k++, t);
                    ins.setDouble(k++, random.nextDouble() * 1000);
                    ins.setLong(k++, random.nextLong());
                    ins.setLong(k++, random.nextLong());
                    ins.setString(k, Long.toString(random.nextLong(), 36).repeat(8).substring(0, 40 + random.nextInt(11)));
                    ins.executeUpdate();
                    latest.setInt(1, entity);
                    latest.setLong(2, t);
                    latest.setDouble(3, random.nextDouble());
                    latest.executeUpdate();
                    c.commit();
                    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                    if (layout == Layout.HOT_COLD && elapsedMs >= nextMove) {
                        long before = (i - (long) (60 * RATE)) * 1000; // rows older than a minute
                        try (PreparedStatement move = c.prepareStatement("INSERT INTO samples SELECT * FROM hot WHERE t < ? ORDER BY entity, t");
                             PreparedStatement moved = c.prepareStatement("DELETE FROM hot WHERE t < ?")) {
                            move.setLong(1, before);
                            move.executeUpdate();
                            moved.setLong(1, before);
                            moved.executeUpdate();
                        }
                        c.commit();
                        nextMove += 60_000;
                    }
                    if (elapsedMs >= nextSize) {
                        sizes.add(new long[]{i + 1, fileSize(c)});
                        nextSize += 2_000;
                    }
                    if ((i + 1) % (POLLS / 8) == 0) {
                        eighths.add(fileSize(c));
                    }
                }
                sizes.add(new long[]{POLLS, fileSize(c)});
                chunks = info(c, "CHUNKS_FILL_RATE");
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM "
                        + (layout == Layout.HOT_COLD ? "(SELECT entity FROM hot UNION ALL SELECT entity FROM samples)" : "samples"))) {
                    rs.next();
                    assertEquals(POLLS, rs.getLong(1), layout + ": every row written");
                }
            }
        }
        Path copy = dir.resolve(layout.name().toLowerCase() + "_live");
        Files.copy(Path.of(file + ".mv.db"), Path.of(copy + ".mv.db"));
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + copy.toAbsolutePath()); Statement st = c.createStatement()) {
            st.execute("SHUTDOWN COMPACT");
        }
        long live = Files.size(Path.of(copy + ".mv.db"));
        long last = sizes.get(sizes.size() - 1)[1];
        List<long[]> late = sizes.stream().filter(s -> s[0] >= POLLS / 2).toList();
        return String.format("%s: file at each eighth %s MB; slope over the second half %.0f bytes a poll; live %.0f bytes a poll "
                        + "(%.1f MB after SHUTDOWN COMPACT); the file %.1f times that; CHUNKS_FILL_RATE at the end %s %%",
                layout, eighths.stream().map(b -> String.format("%.2f", b / 1e6)).toList(), slope(late), (double) live / POLLS, live / 1e6,
                (double) last / live, chunks);
    }

    private static double slope(List<long[]> points) {
        double n = points.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (long[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += (double) p[0] * p[0];
            sxy += (double) p[0] * p[1];
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    private static long fileSize(Connection c) throws SQLException {
        return Long.parseLong(info(c, "FILE_SIZE"));
    }

    private static String info(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = ?")) {
            ps.setString(1, "info." + name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
