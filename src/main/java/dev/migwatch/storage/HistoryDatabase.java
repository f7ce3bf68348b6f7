package dev.migwatch.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

/**
 * Opens the history database (HikariCP) and brings its schema up to date (Flyway), choosing the column
 * types that differ between databases through Flyway placeholders, so one set of migrations serves all.
 */
public final class HistoryDatabase {
    private HistoryDatabase() {
    }

    public static HikariDataSource open(String url, String user, String password) {
        return open(url, user, password, Duration.ofSeconds(5));
    }

    /**
     * @param connectionTimeout how long a write waits for a connection before it counts as "database unavailable"
     *                          and its snapshot goes to the journal. Hikari keeps trying to reconnect in the
     *                          background and validates idle connections before lending them, so the pool
     *                          recovers by itself when the database is back.
     */
    public static HikariDataSource open(String url, String user, String password, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("migwatch-history");
        // H2 as given, with its WRITE_DELAY (0.5 s): 0.1 forced it to 0 so that every commit was on disk when it
        // returned, but then H2 runs no background writer, which is what compacts its file, and the file grew by tens
        // of KB per poll (each commit rewrites every page it touched into a new chunk, and nothing reclaimed the old
        // ones). The journal, which deletes its own copy of a snapshot once written, asks for a sync first.
        long maxHeap = Runtime.getRuntime().maxMemory();
        config.setJdbcUrl(withResultRows(withPageCache(withStatementCache(closedLast(url)), maxHeap), maxHeap));
        if (user != null && !user.isBlank()) {
            config.setUsername(user);
        }
        if (password != null && !password.isBlank()) {
            config.setPassword(password);
        }
        // four for the writers and readers, and where the task list reads on two connections at once (a database in a
        // process of its own, see sideReads) two more, so that a list does not make a poll's write wait for one
        config.setMaximumPoolSize(sideReads(url) ? 6 : 4);
        // fail fast at start with the driver's message instead of retrying silently for 30 s
        config.setInitializationFailTimeout(1);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setExceptionOverride(new H2SessionGone());
        if (url.startsWith("jdbc:postgresql:")) {
            // migwatch's statements are key lookups and small batches, whose plans PostgreSQL costs high when they look up
            // thousands of keys: past jit_above_cost it compiles them, which took longer (25 to 400 ms) than running them
            config.setConnectionInitSql("SET jit = off");
        }
        return new HikariDataSource(config);
    }

    /**
     * Hikari drops a pooled connection after an SQLState 08xxx, which is how PostgreSQL says that a connection is gone.
     * H2 in server mode says it with codes of its own, and the pool kept lending connections whose session the network
     * had cut: every write failed with "Database is already closed" and the journal grew, long after the server was
     * reachable again (found by HealthIntegrationTest).
     */
    static final class H2SessionGone implements SQLExceptionOverride {
        /** H2: connection broken (90067); the connection's session is closed (90121). */
        private static final java.util.Set<Integer> GONE = java.util.Set.of(90067, 90121);

        @java.lang.Override
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException s && GONE.contains(s.getErrorCode())) {
                    return SQLExceptionOverride.Override.MUST_EVICT;
                }
            }
            return SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }

    /**
     * H2 closes a database from its own JVM shutdown hook, while Camel's graceful shutdown still lets the cycles under
     * way finish: with DB_CLOSE_ON_EXIT=FALSE the database stays open until migwatch closes its pool, last. H2 keeps its
     * WRITE_DELAY (see open). Settings the user made, H2 servers (which close their databases themselves), other
     * databases and in-memory H2 are left alone.
     */
    static String closedLast(String url) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        return !embeddedOnDisk(u) || u.contains("DB_CLOSE_ON_EXIT") ? url : url + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** PostgreSQL's SQLState lock_not_available: a statement gave up waiting for a lock (lock_timeout). */
    public static final String LOCK_NOT_AVAILABLE = "55P03";

    /**
     * Whether the task list reads its steps beside its task rows (TrendsService): where the database answers from a process
     * of its own (PostgreSQL, an H2 server), 1,000 tasks took 0.69 of the time. An H2 this JVM runs itself does the reads
     * on migwatch's own cores: it answered no faster, for more CPU (README, "The steps beside the tasks").
     */
    public static boolean sideReads(String url) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        return !u.startsWith("JDBC:H2:") || u.startsWith("JDBC:H2:TCP:") || u.startsWith("JDBC:H2:SSL:");
    }

    /** An H2 database this JVM opens on disk itself (not a server's, not in memory); u is the URL in upper case. */
    private static boolean embeddedOnDisk(String u) {
        return u.startsWith("JDBC:H2:") && !u.startsWith("JDBC:H2:MEM:") && !u.contains("/MEM:")
                && !u.startsWith("JDBC:H2:TCP:") && !u.startsWith("JDBC:H2:SSL:");
    }

    /**
     * H2 keeps the 8 statements a session prepared last (QUERY_CACHE_SIZE) and parses any other one again; a cycle's
     * write alone uses more than 8, so every write re-parsed its SQL (H2's parser was several per cent of a cycle's
     * CPU in the engine profile). A user's own QUERY_CACHE_SIZE stays.
     */
    static String withStatementCache(String url) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        return !u.startsWith("JDBC:H2:") || u.contains("QUERY_CACHE_SIZE") ? url : url + ";QUERY_CACHE_SIZE=64";
    }

    /** The page cache an embedded H2 file database gets at least (CACHE_SIZE, in KB): 16 MB. */
    static final int MIN_PAGE_CACHE_KB = 16 * 1024;

    /**
     * H2 sizes its page cache at 64 MB per GB of maximum heap: 6 MB under the 96 MB heap bin/migwatch gives. Each task's
     * state rows, answers and poll log are appended at its own end of their indexes, so a round of writes touches a
     * leaf page per task and table; with 6 MB those were read back from the file at every round (MVStore.readPage and
     * the cache's evictions: 7 % of a cycle's CPU in the engine profile). A smaller default is raised to 16 MB; a
     * larger heap's default, a user's own CACHE_SIZE, servers and in-memory databases are left alone.
     */
    static String withPageCache(String url, long maxHeapBytes) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        long h2Default = maxHeapBytes == Long.MAX_VALUE ? Long.MAX_VALUE : 64L * 1024 * maxHeapBytes / (1L << 30);
        boolean own = u.replace("QUERY_CACHE_SIZE", "").contains("CACHE_SIZE");
        return !embeddedOnDisk(u) || own || h2Default >= MIN_PAGE_CACHE_KB ? url : url + ";CACHE_SIZE=" + MIN_PAGE_CACHE_KB;
    }

    /** The rows of a result an embedded H2 file database keeps in memory at least (MAX_MEMORY_ROWS): 40,000. */
    static final int MIN_MEMORY_ROWS = 40_000;

    /**
     * H2 keeps 40,000 rows of a result in memory per GB of maximum heap and writes the rest out to a temporary store, to
     * read them back: 3,750 rows under the 96 MB heap bin/migwatch gives. The task list's batches are larger with 1,000
     * tasks (4,000 steps; the samples of tasks in full transfer, 24,000 rows), and in bin/migwatch's JVM that spilling was
     * 13 % of the CPU of lists of tasks in full transfer and a quarter of their allocation (README, "The list of tasks in
     * full transfer"). A smaller default is raised to 40,000, a 1 GB heap's; such a result is a few MB while it is read.
     * A larger heap's default, a user's own MAX_MEMORY_ROWS or h2.maxMemoryRows, servers and in-memory databases are left
     * alone.
     */
    static String withResultRows(String url, long maxHeapBytes) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        long h2Default = maxHeapBytes == Long.MAX_VALUE ? Long.MAX_VALUE : MIN_MEMORY_ROWS * maxHeapBytes / (1L << 30);
        boolean own = u.contains("MAX_MEMORY_ROWS") || System.getProperty("h2.maxMemoryRows") != null;
        return !embeddedOnDisk(u) || own || h2Default >= MIN_MEMORY_ROWS ? url : url + ";MAX_MEMORY_ROWS=" + MIN_MEMORY_ROWS;
    }

    /** The versioned and repeatable migrations, on every database. */
    static final String MIGRATIONS = "classpath:db/migwatch";
    /**
     * Schema version 8 in one step for an empty H2 database (a Flyway baseline migration, B8__history_schema.sql):
     * a new H2 database, the default, is made at the first start, when the start is waited for; one with any
     * migration applied ignores it. PostgreSQL, made once, keeps the versioned path.
     */
    static final String H2_BASELINE = "classpath:db/migwatch-h2";

    /** The migrations written in Java (Flyway finds the SQL ones by their location). */
    static org.flywaydb.core.api.migration.JavaMigration[] javaMigrations() {
        return new org.flywaydb.core.api.migration.JavaMigration[]{new V4__PostgresqlStorage(), new V8__PollKeysAndLatest(),
                new V10__RollupReadIndex(), new V11__H2PerPollForeignKeys(), new V13__DelayWindowIndex(), new V17__StepSettled()};
    }

    /** Migrates the schema; returns the number of migrations applied. */
    public static int migrate(javax.sql.DataSource dataSource) {
        String product = product(dataSource);
        return Flyway.configure()
                .dataSource(dataSource)
                // own folder and history table, so a host application's Flyway setup and ours never mix
                .locations(product.contains("h2") ? new String[]{MIGRATIONS, H2_BASELINE} : new String[]{MIGRATIONS})
                .table("migwatch_schema_history")
                .placeholders(placeholders(product))
                .javaMigrations(javaMigrations())
                .load()
                .migrate()
                .migrationsExecuted;
    }

    static Map<String, String> placeholders(javax.sql.DataSource dataSource) {
        return placeholders(product(dataSource));
    }

    /** The database's product name, lower case. */
    private static String product(javax.sql.DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database product: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> placeholders(String product) {
        // the call that decided a failed 0.1 cycle (d): the last attempt of its API, and no earlier such failure
        String decisive = "d.outcome <> 'OK' AND NOT EXISTS (SELECT 1 FROM poll_call x WHERE x.poll_id = d.poll_id AND x.api = d.api "
                + "AND x.attempt > d.attempt) AND NOT EXISTS (SELECT 1 FROM poll_call y WHERE y.poll_id = d.poll_id AND y.outcome <> 'OK' "
                + "AND (y.called_at < d.called_at OR (y.called_at = d.called_at AND y.api < d.api)) AND NOT EXISTS (SELECT 1 FROM poll_call z "
                + "WHERE z.poll_id = y.poll_id AND z.api = y.api AND z.attempt > y.attempt))";
        if (product.contains("postgres")) {
            return Map.of("decisive", decisive, "ts", "TIMESTAMP", "text", "TEXT", "blob", "BYTEA",
                    "id", "INTEGER GENERATED BY DEFAULT AS IDENTITY", "bigid", "BIGINT GENERATED BY DEFAULT AS IDENTITY",
                    "utf8_bytes", "convert_to(COALESCE(r.body, ''), 'UTF8')");
        }
        if (product.contains("h2")) {
            return Map.of("decisive", decisive, "ts", "TIMESTAMP", "text", "CLOB", "blob", "VARBINARY(1000000000)",
                    "id", "INTEGER GENERATED BY DEFAULT AS IDENTITY", "bigid", "BIGINT GENERATED BY DEFAULT AS IDENTITY",
                    "utf8_bytes", "STRINGTOUTF8(COALESCE(r.body, ''))");
        }
        throw new IllegalStateException("migwatch keeps its history in H2 or PostgreSQL; this database is " + product);
    }
}
