package dev.migwatch.bench;

import dev.migwatch.TestEnvironment;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.storage.HistoryDatabase;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

/**
 * The benchmarks' PostgreSQL: a throw-away schema in the database of MIGWATCH_TEST_POSTGRES_URL (_USER,
 * _PASSWORD), dropped afterwards; without the variable the PostgreSQL half is reported as not measured.
 */
final class BenchPostgres {
    private BenchPostgres() {
    }

    interface Body {
        void run(HikariDataSource db, String schema) throws Exception;
    }

    static void withSchema(String name, String prefix, Body body) throws Exception {
        String url = TestEnvironment.postgresUrl();
        String schema = prefix + UUID.randomUUID().toString().substring(0, 8);
        String user = TestEnvironment.postgresUser();
        String password = TestEnvironment.postgresPassword();
        try (HikariDataSource admin = HistoryDatabase.open(url, user, password)) {
            exec(admin, "CREATE SCHEMA " + schema);
            try (HikariDataSource db = HistoryDatabase.open(url + "?currentSchema=" + schema, user, password)) {
                body.run(db, schema);
            } finally {
                if (Boolean.getBoolean("bench.keep-schema")) {
                    System.out.println(name + ": schema " + schema + " kept (-Dbench.keep-schema)"); // to look into it
                } else {
                    exec(admin, "DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }

    /** A schema an earlier run kept (-Dbench.keep-schema), to measure reads again without writing the history again. */
    static void withExistingSchema(String name, String schema, Body body) throws Exception {
        String url = TestEnvironment.postgresUrl();
        try (HikariDataSource db = HistoryDatabase.open(url + "?currentSchema=" + schema, TestEnvironment.postgresUser(),
                TestEnvironment.postgresPassword())) {
            body.run(db, schema);
        }
    }

    static void exec(javax.sql.DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
