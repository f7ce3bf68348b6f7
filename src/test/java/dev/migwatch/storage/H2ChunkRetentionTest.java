package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** migwatch's own H2 file reuses the space of dead chunks after 5 s instead of 45 (see HistoryDatabase.withChunkRetention). */
class H2ChunkRetentionTest {
    @TempDir
    Path dir;

    @Test
    void theH2FileMigwatchOpensKeepsDeadChunksFiveSeconds() throws Exception {
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("history").toAbsolutePath(), null, null)) {
            assertEquals(String.valueOf(HistoryDatabase.H2_RETENTION_MS), retentionTime(db));
        }
    }

    @Test
    void aRetentionTimeTheUserSetWins() throws Exception {
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("history").toAbsolutePath()
                + ";retention_time=45000", null, null)) {
            assertEquals("45000", retentionTime(db));
        }
    }

    @Test
    void onlyEmbeddedFilesGetIt() {
        assertEquals("jdbc:h2:file:./data/migwatch;RETENTION_TIME=5000", HistoryDatabase.withChunkRetention("jdbc:h2:file:./data/migwatch"));
        assertEquals("jdbc:h2:./x;Retention_Time=0", HistoryDatabase.withChunkRetention("jdbc:h2:./x;Retention_Time=0"));
        // a server's database is its administrator's to set (and SET RETENTION_TIME needs admin rights); memory has no file
        assertEquals("jdbc:h2:tcp://localhost:9092/./h", HistoryDatabase.withChunkRetention("jdbc:h2:tcp://localhost:9092/./h"));
        assertEquals("jdbc:h2:mem:x", HistoryDatabase.withChunkRetention("jdbc:h2:mem:x"));
        assertEquals("jdbc:postgresql://db/migwatch", HistoryDatabase.withChunkRetention("jdbc:postgresql://db/migwatch"));
    }

    private static String retentionTime(HikariDataSource db) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'RETENTION_TIME'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
