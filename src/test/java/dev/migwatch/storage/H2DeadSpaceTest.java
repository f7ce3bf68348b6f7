package dev.migwatch.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.MovableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warning that an H2 file is mostly dead space (README, "H2's file past the retention windows"). */
class H2DeadSpaceTest {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");
    private static final long GB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void aLargeFileThatIsMostlyDeadIsToldOnceADay() {
        DatabaseSize.H2File file = new DatabaseSize.H2File(GB, 100, 10);
        assertTrue(HistoryMaintenance.deadSpaceDue(file, HistoryMaintenance.DEAD_SPACE_MIN_BYTES, T0, null));
        String first = HistoryMaintenance.deadSpaceWarning(file, "/srv/data/migwatch.mv.db");
        assertTrue(first.contains("1024 MB, of which about 102 MB is live data"), first);
        assertTrue(first.contains("java -cp migwatch.jar org.h2.mvstore.MVStoreTool -compact /srv/data/migwatch.mv.db"), first);
        assertTrue(first.contains("PostgreSQL"), first);
        assertFalse(HistoryMaintenance.deadSpaceDue(file, HistoryMaintenance.DEAD_SPACE_MIN_BYTES, T0.plus(Duration.ofHours(23)), T0));
        assertTrue(HistoryMaintenance.deadSpaceDue(file, HistoryMaintenance.DEAD_SPACE_MIN_BYTES, T0.plus(Duration.ofDays(1)), T0));
    }

    @Test
    void aSmallFileOrOneMostlyLiveIsNotWarnedOf() {
        long min = HistoryMaintenance.DEAD_SPACE_MIN_BYTES;
        assertFalse(HistoryMaintenance.deadSpaceDue(new DatabaseSize.H2File(min - 1, 100, 5), min, T0, null), "small");
        assertFalse(HistoryMaintenance.deadSpaceDue(new DatabaseSize.H2File(GB, 100, 26), min, T0, null), "26 % live");
        // half the file in chunks, half of those live: a quarter of the file
        assertTrue(HistoryMaintenance.deadSpaceDue(new DatabaseSize.H2File(GB, 50, 50), min, T0, null), "25 % live");
    }

    @Test
    void h2sOwnFiguresOfAFileAreRead() throws Exception {
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("size"), null, null);
             Connection c = db.getConnection()) {
            HistoryDatabase.migrate(db);
            DatabaseSize.H2File f = DatabaseSize.h2File(c).orElseThrow();
            try (Statement st = c.createStatement()) {
                st.execute("CHECKPOINT");
            }
            assertTrue(f.bytes() > 0 && f.bytes() <= Files.size(dir.resolve("size.mv.db")), f.toString());
            assertTrue(f.chunksPercent() > 0 && f.chunksPercent() <= 100 && f.livePercent() > 0 && f.livePercent() <= 100, f.toString());
            assertTrue(f.liveBytes() <= f.bytes(), f.toString());
        }
        try (HikariDataSource mem = HistoryDatabase.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null);
             Connection c = mem.getConnection()) {
            assertTrue(DatabaseSize.h2File(c).isEmpty(), "an in-memory H2 has no file");
        }
    }

    /**
     * The maintenance says it of a real file: rows rewritten over and over, each commit its own chunk (WRITE_DELAY=0, so no
     * background writer compacts them) leave a file mostly dead (H2 frees a dead chunk only after its 45 s RETENTION_TIME).
     */
    @Test
    void theMaintenanceWarnsOfARealFileOnceADay() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(HistoryMaintenance.class);
        logger.addAppender(log);
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("dead") + ";WRITE_DELAY=0", null, null)) {
            HistoryDatabase.migrate(db);
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE churn(id INT PRIMARY KEY, v VARCHAR(200))");
                try (PreparedStatement ps = c.prepareStatement("MERGE INTO churn KEY(id) VALUES (?, ?)")) {
                    for (int round = 0; round < 300; round++) {
                        for (int id = 0; id < 50; id++) {
                            ps.setInt(1, id);
                            ps.setString(2, round + "-" + "x".repeat(150));
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                DatabaseSize.H2File f = DatabaseSize.h2File(c).orElseThrow();
                assertTrue(f.liveBytes() * 4 <= f.bytes(), "the churn left the file mostly dead: " + f);
            }
            MovableClock clock = new MovableClock(T0);
            HistoryMaintenance maintenance = new HistoryMaintenance(db, Retention.defaults(), clock, Duration.ofMinutes(1), 0);
            maintenance.run();
            clock.set(T0.plus(Duration.ofHours(1)));
            maintenance.run();
            List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("-compact " + dir.resolve("dead").toAbsolutePath() + ".mv.db"), warnings.get(0));
            clock.set(T0.plus(Duration.ofDays(1)));
            maintenance.run();
            assertEquals(2, log.list.stream().filter(e -> e.getLevel() == Level.WARN).count(), "again a day later");
        } finally {
            logger.detachAppender(log);
        }
    }
}
