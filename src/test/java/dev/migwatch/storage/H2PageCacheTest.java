package dev.migwatch.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;

class H2PageCacheTest {
    private static final long MB = 1024 * 1024;

    @Test
    void smallHeapsGetSixteenMegabytesOfPageCache() {
        // bin/migwatch's 96 MB heap: H2 alone would take 64 MB per GB of it, 6 MB
        assertEquals("jdbc:h2:file:./x;CACHE_SIZE=16384", HistoryDatabase.withPageCache("jdbc:h2:file:./x", 96 * MB));
        assertEquals("jdbc:h2:./x;QUERY_CACHE_SIZE=64;CACHE_SIZE=16384",
                HistoryDatabase.withPageCache("jdbc:h2:./x;QUERY_CACHE_SIZE=64", 96 * MB));
    }

    @Test
    void largerDefaultsUsersOwnSettingServersAndMemoryAreLeftAlone() {
        assertEquals("jdbc:h2:file:./x", HistoryDatabase.withPageCache("jdbc:h2:file:./x", 256 * MB));
        assertEquals("jdbc:h2:file:./x", HistoryDatabase.withPageCache("jdbc:h2:file:./x", Long.MAX_VALUE));
        assertEquals("jdbc:h2:file:./x;cache_size=2048", HistoryDatabase.withPageCache("jdbc:h2:file:./x;cache_size=2048", 96 * MB));
        assertEquals("jdbc:h2:tcp://db:9092/./x", HistoryDatabase.withPageCache("jdbc:h2:tcp://db:9092/./x", 96 * MB));
        assertEquals("jdbc:h2:mem:x", HistoryDatabase.withPageCache("jdbc:h2:mem:x", 96 * MB));
        assertEquals("jdbc:postgresql://db/migwatch", HistoryDatabase.withPageCache("jdbc:postgresql://db/migwatch", 96 * MB));
    }

    @Test
    void smallHeapsKeepFortyThousandResultRowsInMemory() {
        // 96 MB: H2 alone would keep 3,750 rows of a result in memory and write the rest out to read them back
        assertEquals("jdbc:h2:file:./x;MAX_MEMORY_ROWS=40000", HistoryDatabase.withResultRows("jdbc:h2:file:./x", 96 * MB));
        assertEquals("jdbc:h2:file:./x", HistoryDatabase.withResultRows("jdbc:h2:file:./x", 1024 * MB));
        assertEquals("jdbc:h2:file:./x;max_memory_rows=500", HistoryDatabase.withResultRows("jdbc:h2:file:./x;max_memory_rows=500", 96 * MB));
        assertEquals("jdbc:h2:tcp://db:9092/./x", HistoryDatabase.withResultRows("jdbc:h2:tcp://db:9092/./x", 96 * MB));
        assertEquals("jdbc:h2:mem:x", HistoryDatabase.withResultRows("jdbc:h2:mem:x", 96 * MB));
        assertEquals("jdbc:postgresql://db/migwatch", HistoryDatabase.withResultRows("jdbc:postgresql://db/migwatch", 96 * MB));
    }

    @Test
    void h2TakesBothSettings(@TempDir Path dir) throws Exception {
        String url = HistoryDatabase.withResultRows(HistoryDatabase.withPageCache("jdbc:h2:file:" + dir.resolve("h"), 96 * MB), 96 * MB);
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                     + " WHERE SETTING_NAME IN ('CACHE_SIZE', 'MAX_MEMORY_ROWS') ORDER BY SETTING_NAME")) {
            r.next();
            assertEquals("CACHE_SIZE=16384", r.getString(1) + "=" + r.getString(2));
            r.next();
            assertEquals("MAX_MEMORY_ROWS=40000", r.getString(1) + "=" + r.getString(2));
        }
    }
}
