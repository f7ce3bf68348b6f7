package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Schema version 17: a step that has stopped changing keeps a copy of its newest state row on its own row (issue #8).
 * <p>
 * The task list shows every task's steps as of its newest successful poll. A step that changed at that poll has its row
 * there, just written and in the database's cache; every other step's row is wherever the step last changed, often days
 * back. On H2 with 1,000 tasks those lookups were most of a list asked for on its own (H2 had evicted the pages they sit
 * in since the last one): one old page per step. The list now reads a settled step from its step row, which it reads
 * anyway, and looks up the state rows only of the steps that are changing (TrendQueries.SETTLED_STEPS).
 * <p>
 * settled_at is the time of the step's newest state row while no newer one exists, and the settled_* columns are the
 * values of that row that the list shows (StateTable.SETTLED); settled_at is NULL while the step changes (it has a row at
 * the task's newest successful poll). The writer (HistoryStore.settleSteps) fills both when it moves state_at to a step
 * that stopped changing, and empties settled_at in the transaction that writes the step a new row. The state rows stay
 * the history and what v_step_latest and the other readers use; these columns only spare the list its lookups. With
 * several nodes upgraded one after the other, a node of an older release writes rows without emptying settled_at: until a
 * node of this release writes the task again (it then sees that the copy is not of the newest row), the list may show
 * such a step as it was when it settled.
 * <p>
 * Java rather than SQL only for the columns' one ALTER TABLE, whose form differs between the two databases: H2 rebuilds
 * the table at each ALTER, and sixteen of them added 60 to 100 ms to the first start on an empty database (issue #12's
 * first stored row).
 */
public class V17__StepSettled extends BaseJavaMigration {
    /** The new columns of step, with their types; TIMESTAMP is what the ts placeholder is on both databases. */
    static final List<String> COLUMNS = List.of("settled_at TIMESTAMP", "settled_present BOOLEAN", "settled_raw_status VARCHAR(100)",
            "settled_status VARCHAR(20)", "settled_progress_pct DOUBLE PRECISION", "settled_started_at TIMESTAMP",
            "settled_finished_at TIMESTAMP", "settled_processed_records BIGINT", "settled_capacity BIGINT",
            "settled_src_rps DOUBLE PRECISION", "settled_dst_rps DOUBLE PRECISION", "settled_checkpoint_at TIMESTAMP",
            "settled_delay_seconds BIGINT", "settled_delay_ms BIGINT", "settled_error_code VARCHAR(200)",
            "settled_error_message VARCHAR(4000)");

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement st = context.getConnection().createStatement()) {
            st.execute(DatabaseProduct.of(context.getConnection()) == DatabaseProduct.POSTGRESQL
                    ? "ALTER TABLE step " + COLUMNS.stream().map(c -> "ADD COLUMN " + c).collect(Collectors.joining(", "))
                    : "ALTER TABLE step ADD (" + String.join(", ", COLUMNS) + ")");
            // the steps of an existing history that have no row at their task's newest successful poll: their state_at is
            // current (the writer moved it there when they stopped changing), and their row there is the one to copy
            List<String> names = COLUMNS.stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
            // settled_at is the row's polled_at, each settled_x the row's x
            String values = names.stream().map(n -> n.equals("settled_at") ? "s.polled_at" : "s." + n.substring("settled_".length()))
                    .collect(Collectors.joining(", "));
            st.executeUpdate("UPDATE step SET (" + String.join(", ", names) + ") = (SELECT " + values
                    + " FROM step_state s WHERE s.step_ref = step.id AND s.polled_at = step.state_at)"
                    + " WHERE state_at IS NOT NULL"
                    + " AND EXISTS (SELECT 1 FROM step_state s WHERE s.step_ref = step.id AND s.polled_at = step.state_at)"
                    + " AND NOT EXISTS (SELECT 1 FROM task_latest l JOIN step_state n ON n.step_ref = step.id"
                    + " AND n.polled_at = l.last_ok_at WHERE l.task_ref = step.task_ref)");
        }
    }
}
