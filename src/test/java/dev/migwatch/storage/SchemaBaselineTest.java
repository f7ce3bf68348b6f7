package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new H2 database gets schema version 8 in one step (B8__history_schema.sql, a Flyway baseline migration): it must be
 * the schema that V1..V8 leave, object by object (columns in order with their types, defaults and identities, keys,
 * unique and foreign keys with their delete rules, indexes, views), and both must go on as one from here.
 */
class SchemaBaselineTest {
    @Test
    void theBaselineMakesTheSchemaTheVersionedMigrationsMake() throws Exception {
        try (HikariDataSource baseline = memory(); HikariDataSource versioned = memory()) {
            assertEquals(13, HistoryDatabase.migrate(baseline), "B8, the versions after 8 (V10..V20) and the views, nothing else");
            List<String> applied = applied(baseline);
            assertEquals("8 SQL_BASELINE B8__history_schema.sql", applied.get(0), applied.toString());
            assertEquals("10", applied.get(1).split(" ")[0], applied.toString());
            assertEquals("11", applied.get(2).split(" ")[0], applied.toString());
            assertEquals("12", applied.get(3).split(" ")[0], applied.toString());
            assertEquals("13", applied.get(4).split(" ")[0], applied.toString());
            assertEquals("14", applied.get(5).split(" ")[0], applied.toString());
            assertEquals("15", applied.get(6).split(" ")[0], applied.toString());
            assertEquals("16", applied.get(7).split(" ")[0], applied.toString());
            assertEquals("17", applied.get(8).split(" ")[0], applied.toString());
            assertEquals("18", applied.get(9).split(" ")[0], applied.toString());
            assertEquals("19", applied.get(10).split(" ")[0], applied.toString());
            assertEquals("20", applied.get(11).split(" ")[0], applied.toString());
            assertEquals("null SQL R__history_views.sql", applied.get(12), applied.toString());

            // what every H2 database got before the baseline existed, and every database that has a version still gets
            int steps = Flyway.configure().dataSource(versioned).locations(HistoryDatabase.MIGRATIONS).table("migwatch_schema_history")
                    .placeholders(HistoryDatabase.placeholders(versioned))
                    .javaMigrations(HistoryDatabase.javaMigrations()).load().migrate().migrationsExecuted;
            assertEquals(20, steps, "V1..V8, V10..V20 and the views");

            assertEquals(schema(versioned), schema(baseline));
            // V19: the raw answers are not indexed by keyframe any more (retention goes by UTC day), by task and time still
            for (DataSource db : List.of(versioned, baseline)) {
                List<String> indexes = rawBodyIndexes(db);
                assertFalse(indexes.contains("RAW_BODY_BASE"), indexes.toString());
                assertTrue(indexes.containsAll(List.of("RAW_BODY_TASK", "RAW_BODY_TIME")), indexes.toString());
            }
        }
    }

    @Test
    void aDatabaseWithVersionsIgnoresTheBaselineAndOneMadeByItStartsAgainCleanly() throws Exception {
        try (HikariDataSource versioned = memory(); HikariDataSource baseline = memory()) {
            Flyway.configure().dataSource(versioned).locations(HistoryDatabase.MIGRATIONS).table("migwatch_schema_history")
                    .placeholders(HistoryDatabase.placeholders(versioned))
                    .javaMigrations(HistoryDatabase.javaMigrations()).load().migrate();
            assertEquals(0, HistoryDatabase.migrate(versioned), "an up-to-date database that came through V1..V8 is left alone");
            assertEquals(20, applied(versioned).size());

            HistoryDatabase.migrate(baseline);
            assertEquals(0, HistoryDatabase.migrate(baseline), "the next start finds it up to date (and valid)");
        }
    }

    private static List<String> rawBodyIndexes(DataSource db) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_NAME = 'RAW_BODY'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static HikariDataSource memory() {
        return HistoryDatabase.open("jdbc:h2:mem:baseline" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
                "sa", "");
    }

    private static List<String> applied(DataSource db) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"version\", \"type\", \"script\" FROM \"migwatch_schema_history\" "
                     + "WHERE \"success\" AND \"type\" <> 'TABLE' ORDER BY \"installed_rank\"")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }

    /**
     * H2's own script of the schema, statement by statement and sorted; the names H2 makes up for constraints that the
     * migrations leave unnamed (CONSTRAINT_8BC) depend on the order things were made in, and are blanked.
     */
    private static List<String> schema(DataSource db) throws SQLException {
        StringBuilder script = new StringBuilder();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SCRIPT NODATA")) {
            while (rs.next()) {
                String line = rs.getString(1);
                if (!line.startsWith("--") && !line.startsWith("CREATE USER")) {
                    script.append(line.strip()).append('\n');
                }
            }
        }
        List<String> statements = new ArrayList<>(Arrays.stream(script.toString().split(";\n"))
                .map(s -> s.strip().replaceAll("\"CONSTRAINT_[0-9A-F]+\"", "\"CONSTRAINT_\""))
                .filter(s -> !s.isEmpty()).toList());
        statements.sort(null);
        return statements;
    }
}
