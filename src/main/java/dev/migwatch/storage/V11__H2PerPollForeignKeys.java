package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Schema version 11, H2 only: the tables that take rows at every poll lose their foreign keys to task, step and
 * component (issue #8). PostgreSQL keeps them.
 * <p>
 * H2 gives a foreign key an index of its own unless one of exactly the key's columns exists; the primary key
 * (step_ref, polled_at) does not count. Every state, poll and raw body row therefore had one more index entry, on the
 * parent's id alone, that nothing reads (task, step and component rows are never deleted, so the key is never checked
 * from the parent's side). Worse, H2's planner took that index for the as-of lookups of v_step_latest and the task
 * list: with 1,000 tasks and 30 days, "each step's row at the task's last poll" read all 206,524 rows of the steps
 * instead of 8,000 (352 ms, growing with the history; EXPLAIN ANALYZE in the README).
 * <p>
 * What is lost: H2 no longer refuses a state row whose parent does not exist. The one writer, HistoryStore, makes the
 * parent first in the same transaction; the rows keep their parent's id, which the views join on.
 */
public class V11__H2PerPollForeignKeys extends BaseJavaMigration {
    /** The tables that grow with every poll. */
    static final List<String> PER_POLL_TABLES = List.of("task_state", "step_state", "component_state", "poll", "raw_body");

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        if (DatabaseProduct.of(c) == DatabaseProduct.POSTGRESQL) {
            return;
        }
        try (Statement st = c.createStatement()) {
            for (String table : PER_POLL_TABLES) {
                for (String constraint : foreignKeysToParents(c, table)) {
                    // the constraint's own index goes with it
                    st.execute("ALTER TABLE " + table + " DROP CONSTRAINT \"" + constraint + "\"");
                }
            }
        }
    }

    /** A table's foreign keys to task, step or component (poll_call's key to poll is not one of them). */
    static List<String> foreignKeysToParents(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tc.CONSTRAINT_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc"
                + " JOIN INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS rc ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA"
                + " AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME"
                + " JOIN INFORMATION_SCHEMA.TABLE_CONSTRAINTS pk ON pk.CONSTRAINT_SCHEMA = rc.UNIQUE_CONSTRAINT_SCHEMA"
                + " AND pk.CONSTRAINT_NAME = rc.UNIQUE_CONSTRAINT_NAME"
                + " WHERE tc.TABLE_SCHEMA = SCHEMA() AND tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE = 'FOREIGN KEY'"
                + " AND pk.TABLE_NAME IN ('TASK', 'STEP', 'COMPONENT')")) {
            ps.setString(1, table.toUpperCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
