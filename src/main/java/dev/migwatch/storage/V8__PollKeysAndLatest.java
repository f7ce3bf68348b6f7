package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * Schema version 8: fewer bytes and no dead rows per poll (issue #8), on H2 and PostgreSQL, keeping every value.
 * <ul>
 *   <li>The task's "newest" pointers (newest poll and its outcome, newest successful poll, newest state row) move from
 *   the task row into task_latest, one narrow row per task. They change at every poll; an UPDATE of the task row copied
 *   its names and detail JSON (about 860 bytes) each time, which PostgreSQL keeps as a dead row until no transaction can
 *   see it: under long-running reports the task table grew by a row per poll. The narrow row is a tenth of that, and its
 *   only index is its key, so PostgreSQL updates it in place on its page (HOT). last_error_at is not kept: it is the
 *   newest last_seen of the task's errors, which the task_error_seen index finds.</li>
 *   <li>step.state_at and component.state_at are no longer moved at every change (see HistoryStore): they point at the
 *   newest state row only when that row is not at the task's newest successful poll.</li>
 *   <li>The poll log is keyed by (task_ref, polled_at), which was already unique: the surrogate id and its index cost
 *   30 bytes a poll and identified nothing the pair does not. poll_call refers to its poll by that pair.</li>
 *   <li>raw_body's key (task_ref, received_at, api) becomes the index (task_ref, received_at): api is '*' for every record
 *   the writer stores (a whole poll), and an index entry of two fixed-width columns lets PostgreSQL fill its pages when
 *   each task appends at its own end of the index, where the wider one left them half empty.</li>
 * </ul>
 * In Java because the primary keys to drop have names each database chose itself.
 */
public class V8__PollKeysAndLatest extends BaseJavaMigration {
    /** The views over the columns that change; R__history_views.sql creates them again. */
    private static final List<String> VIEWS = List.of("v_metric_rollup", "v_step_unchanged", "v_poll_failures", "v_incremental_delay",
            "v_full_transfer_progress", "v_component_latest", "v_step_latest", "v_task_latest", "v_errors", "v_poll_log", "api_call",
            "component_sample", "step_sample", "task_sample");

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        boolean postgres = DatabaseProduct.of(c) == DatabaseProduct.POSTGRESQL;
        try (Statement st = c.createStatement()) {
            for (String view : VIEWS) {
                st.execute("DROP VIEW IF EXISTS " + view);
            }

            st.execute("CREATE TABLE task_latest ("
                    + "task_ref INTEGER NOT NULL PRIMARY KEY REFERENCES task (id), "
                    + "last_polled_at TIMESTAMP NOT NULL, "
                    + "last_outcome VARCHAR(20) NOT NULL, "
                    + "last_ok_at TIMESTAMP, "
                    + "state_at TIMESTAMP)" + (postgres ? " WITH (fillfactor = 50)" : ""));
            st.execute("INSERT INTO task_latest (task_ref, last_polled_at, last_outcome, last_ok_at, state_at) "
                    + "SELECT id, last_polled_at, last_outcome, last_ok_at, state_at FROM task");
            for (String column : List.of("last_polled_at", "last_outcome", "last_ok_at", "last_error_at", "state_at")) {
                st.execute("ALTER TABLE task DROP COLUMN " + column);
            }

            st.execute("CREATE TABLE poll_call_v8 ("
                    + "task_ref INTEGER NOT NULL, "
                    + "polled_at TIMESTAMP NOT NULL, "
                    + "api VARCHAR(64) NOT NULL, "
                    + "attempt INTEGER NOT NULL, "
                    + "called_at TIMESTAMP NOT NULL, "
                    + "duration_ms BIGINT NOT NULL, "
                    + "http_status INTEGER, "
                    + "request_id VARCHAR(100), "
                    + "outcome VARCHAR(20) NOT NULL, "
                    + "error_code VARCHAR(200), "
                    + "error_message VARCHAR(2000), "
                    + "CONSTRAINT poll_call_key PRIMARY KEY (task_ref, polled_at, api, attempt))");
            st.execute("INSERT INTO poll_call_v8 (task_ref, polled_at, api, attempt, called_at, duration_ms, http_status, request_id, "
                    + "outcome, error_code, error_message) SELECT p.task_ref, p.polled_at, c.api, c.attempt, c.called_at, c.duration_ms, "
                    + "c.http_status, c.request_id, c.outcome, c.error_code, c.error_message FROM poll_call c JOIN poll p ON p.id = c.poll_id");
            st.execute("DROP TABLE poll_call");
            st.execute("ALTER TABLE poll_call_v8 RENAME TO poll_call");

            st.execute("ALTER TABLE poll DROP CONSTRAINT " + primaryKey(c, "poll"));
            st.execute("ALTER TABLE poll DROP COLUMN id");
            // poll_natural, UNIQUE (task_ref, polled_at), is the key now
            st.execute("ALTER TABLE poll_call ADD CONSTRAINT poll_call_poll FOREIGN KEY (task_ref, polled_at) "
                    + "REFERENCES poll (task_ref, polled_at) ON DELETE CASCADE");

            // on PostgreSQL the partitioned parent's key, with the key index of each partition
            st.execute("ALTER TABLE raw_body DROP CONSTRAINT " + primaryKey(c, "raw_body"));
            st.execute("CREATE INDEX raw_body_task ON raw_body (task_ref, received_at)");
        }
    }

    /** The name of a table's primary key constraint in the current schema. */
    static String primaryKey(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
            try (ResultSet rs = md.getPrimaryKeys(c.getCatalog(), c.getSchema(), name)) {
                if (rs.next()) {
                    return quoted(rs.getString("PK_NAME"));
                }
            }
        }
        throw new SQLException("table " + table + " has no primary key to drop");
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
