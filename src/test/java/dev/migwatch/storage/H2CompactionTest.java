package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class H2CompactionTest {

    /**
     * A load like the history's (small commits, inserts at many places of an index, a row updated at each) leaves most
     * chunks of the file mostly dead; the compaction rewrites them until they are TARGET_FILL_RATE % live, keeps every
     * row, and then has nothing left to do. H2's background writer runs as in service, but without compacting by itself
     * (AUTO_COMPACT_FILL_RATE=0), and it may drop a chunk as soon as it is dead (RETENTION_TIME=0), so that only the
     * compaction under test moves the fill rate.
     */
    @Test
    void rewritesTheDeadChunksOfAnH2FileAndKeepsEveryRow(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("history") + ";RETENTION_TIME=0;AUTO_COMPACT_FILL_RATE=0";
        try (HikariDataSource db = HistoryDatabase.open(url, null, null)) {
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE sample (entity INTEGER NOT NULL, at BIGINT NOT NULL, v VARCHAR(100), PRIMARY KEY (entity, at))");
                st.execute("CREATE TABLE latest (entity INTEGER NOT NULL PRIMARY KEY, at BIGINT NOT NULL)");
                c.setAutoCommit(false);
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO sample VALUES (?, ?, ?)");
                     PreparedStatement update = c.prepareStatement("MERGE INTO latest KEY (entity) VALUES (?, ?)")) {
                    for (int at = 0; at < 150; at++) {
                        for (int entity = 0; entity < 100; entity++) {
                            insert.setInt(1, entity);
                            insert.setLong(2, at);
                            insert.setString(3, "value " + entity + " at " + at);
                            insert.executeUpdate();
                            update.setInt(1, entity);
                            update.setLong(2, at);
                            update.executeUpdate();
                            c.commit();
                        }
                    }
                }
            }
            checkpoint(db);
            int before = chunksFillRate(db);
            assertTrue(before < H2Compaction.TARGET_FILL_RATE, "the load should leave the chunks mostly dead, they are " + before + " % live");

            H2Compaction compaction = new H2Compaction(db, url);
            assertTrue(compaction.applies());
            int calls = 0;
            while (compaction.run()) {
                calls++;
                checkpoint(db); // what the background writer does within half a second: writes the rewritten pages
                assertTrue(calls < 100, "the compaction should stop once the chunks are live enough; at " + chunksFillRate(db) + " %");
            }
            assertTrue(calls > 0, "nothing was rewritten at " + before + " %");
            int after = chunksFillRate(db);
            assertTrue(after >= H2Compaction.TARGET_FILL_RATE, "chunks " + before + " % live before, " + after + " % after " + calls + " calls");

            try (Connection c = db.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(at), COUNT(DISTINCT v) FROM sample")) {
                rs.next();
                assertEquals(15_000, rs.getLong(1));
                assertEquals(100L * (149 * 150 / 2), rs.getLong(2));
                assertEquals(15_000, rs.getLong(3));
            }
            try (Connection c = db.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), MIN(at), MAX(at) FROM latest")) {
                rs.next();
                assertEquals(100, rs.getLong(1));
                assertEquals(149, rs.getLong(2));
                assertEquals(149, rs.getLong(3));
            }
        }
    }

    @Test
    void anythingButAnH2FileThisJvmRunsIsLeftAlone() {
        DataSource untouchable = new UntouchableDataSource();
        for (String url : new String[] {"jdbc:postgresql://db:5432/migwatch", "jdbc:h2:mem:x", "jdbc:h2:tcp://db:9092/./x",
                "jdbc:h2:ssl://db/./x"}) {
            H2Compaction compaction = new H2Compaction(untouchable, url);
            assertFalse(compaction.applies(), url);
            assertFalse(compaction.run(), url);
        }
    }

    /** AUTO_SERVER=TRUE: a file URL, but another process opened the file first and this one reaches it over TCP. */
    @Test
    void aFileAnotherProcessRunsIsLeftToThatProcess(@TempDir Path dir) throws Exception {
        org.h2.tools.Server server = org.h2.tools.Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", dir.toString()).start();
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/./history", null, null)) {
            H2Compaction compaction = new H2Compaction(db, "jdbc:h2:file:" + dir.resolve("history") + ";AUTO_SERVER=TRUE");
            assertTrue(compaction.applies());
            assertFalse(compaction.run());
            assertFalse(compaction.applies(), "found out that it is not this process's to compact");
        } finally {
            server.stop();
        }
    }

    @Test
    void aClosedDatabaseIsReportedNotThrown(@TempDir Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("closed");
        HikariDataSource db = HistoryDatabase.open(url, null, null);
        H2Compaction compaction = new H2Compaction(db, url);
        db.close();
        assertFalse(compaction.run());
        assertFalse(compaction.run());
    }

    private static void checkpoint(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        }
    }

    private static int chunksFillRate(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CHUNKS_FILL_RATE'")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }

    /** A DataSource that fails the test if it is used at all. */
    private static final class UntouchableDataSource implements DataSource {
        @Override
        public Connection getConnection() {
            throw new AssertionError("the compaction should not touch this database");
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new AssertionError("the compaction should not touch this database");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
