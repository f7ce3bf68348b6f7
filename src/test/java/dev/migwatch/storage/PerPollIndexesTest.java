package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On H2, no table that takes rows at every poll keeps an index whose columns begin another of its indexes: such an index
 * is one more entry for every row written that no reader needs (the longer one serves the same searches), and H2's
 * planner took the foreign keys' ones (step_ref alone) for lookups of a step's row at a time, reading all its rows (V11).
 * Checked on a new database (baseline) and on one that came through every version.
 */
class PerPollIndexesTest {
    @Test
    void noPerPollTableHasAnIndexThatBeginsAnother() throws Exception {
        try (HikariDataSource baseline = memory(); HikariDataSource versioned = memory()) {
            HistoryDatabase.migrate(baseline);
            Flyway.configure().dataSource(versioned).locations(HistoryDatabase.MIGRATIONS).table("migwatch_schema_history")
                    .placeholders(HistoryDatabase.placeholders(versioned))
                    .javaMigrations(HistoryDatabase.javaMigrations()).load().migrate();
            for (HikariDataSource db : List.of(baseline, versioned)) {
                try (Connection c = db.getConnection()) {
                    for (String table : V11__H2PerPollForeignKeys.PER_POLL_TABLES) {
                        Map<String, List<String>> indexes = indexes(c, table);
                        assertTrue(indexes.size() >= 1, table + ": " + indexes);
                        indexes.forEach((name, columns) -> indexes.forEach((other, longer) -> {
                            if (!name.equals(other)) {
                                assertTrue(longer.size() < columns.size() || !longer.subList(0, columns.size()).equals(columns),
                                        table + ": " + name + " " + columns + " begins " + other + " " + longer);
                            }
                        }));
                        assertEquals(List.of(), V11__H2PerPollForeignKeys.foreignKeysToParents(c, table), table);
                    }
                }
            }
        }
    }

    private static Map<String, List<String>> indexes(Connection c, String table) throws SQLException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT INDEX_NAME, COLUMN_NAME FROM"
                + " INFORMATION_SCHEMA.INDEX_COLUMNS WHERE TABLE_SCHEMA = SCHEMA() AND TABLE_NAME = '" + table.toUpperCase(Locale.ROOT)
                + "' ORDER BY INDEX_NAME, ORDINAL_POSITION")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        return out;
    }

    private static HikariDataSource memory() {
        return HistoryDatabase.open("jdbc:h2:mem:perpoll" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
                "sa", "");
    }
}
