package dev.migwatch.bench;

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
        String url = System.getenv("MIGWATCH_TEST_POSTGRES_URL");
        if (url == null) {
            System.out.println(name + ": MIGWATCH_TEST_POSTGRES_URL not set, not measured");
            return;
        }
        String schema = prefix + UUID.randomUUID().toString().substring(0, 8);
        String user = System.getenv("MIGWATCH_TEST_POSTGRES_USER");
        String password = System.getenv("MIGWATCH_TEST_POSTGRES_PASSWORD");
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
        String url = System.getenv("MIGWATCH_TEST_POSTGRES_URL");
        if (url == null) {
            System.out.println(name + ": MIGWATCH_TEST_POSTGRES_URL not set, not measured");
            return;
        }
        try (HikariDataSource db = HistoryDatabase.open(url + "?currentSchema=" + schema, System.getenv("MIGWATCH_TEST_POSTGRES_USER"),
                System.getenv("MIGWATCH_TEST_POSTGRES_PASSWORD"))) {
            body.run(db, schema);
        }
    }

    static void exec(javax.sql.DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
