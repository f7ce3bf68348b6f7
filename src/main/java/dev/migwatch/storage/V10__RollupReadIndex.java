package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * Schema version 10: /series over a year reads the rollups it draws from an index alone (issue #8).
 * <p>
 * metric_rollup's rows lie in the order they were written: every hour, the 5-minute and hourly rows of all series side by
 * side. A year of one series' hourly rows (8,760) was therefore found through the primary key and then read one table
 * page each: on PostgreSQL 7,800 page reads, 23 ms per series with every page in memory and 130 ms when they were not
 * (EXPLAIN (ANALYZE, BUFFERS); a year of delay is two series), on H2 a lookup of each row in the table's own tree. The
 * index added here holds what the reader takes of a row (its average, last value and count) in the order of series and
 * time, so that a series' year is a run of consecutive index entries.
 * <ul>
 *   <li>PostgreSQL: {@value #INDEX}, of the hourly rows only (about a twelfth of the rollup rows, so a few bytes a poll:
 *   10 a rollup row, where the same columns on the whole primary key cost 50), with the values as INCLUDE columns. A
 *   year is an index-only scan of about 100 pages. Its period is its condition rather than a column, so the reader names
 *   the period in the SQL text, not as a parameter. An index-only scan still reads the table page of a row that VACUUM
 *   has not marked all-visible yet; autovacuum visits an insert-mostly table by default after a fifth of its rows were
 *   added (for one task a year old, the rows of its last 70 days), here after 1 % (PostgreSQL 13 and later).</li>
 *   <li>H2 has neither partial indexes nor INCLUDE: {@value #H2_INDEX} is the primary key's columns followed by the
 *   values, for both periods, which H2 reads without going to the table (1,392 hourly rows: 1.5 ms against 2.5).</li>
 * </ul>
 * The version is 10 because another change may take 9.
 */
public class V10__RollupReadIndex extends BaseJavaMigration {
    /** The index's names, for the tests that check the plans. */
    public static final String INDEX = "metric_rollup_hour";
    public static final String H2_INDEX = "metric_rollup_values";

    @Override
    public void migrate(Context context) throws Exception {
        boolean postgres = DatabaseProduct.of(context.getConnection()) == DatabaseProduct.POSTGRESQL;
        if (!postgres) {
            try (Statement st = context.getConnection().createStatement()) {
                st.execute("CREATE INDEX " + H2_INDEX + " ON metric_rollup (entity, entity_ref, metric, period_s, bucket_start, avg_value, "
                        + "last_value, sample_count)");
            }
            return;
        }
        try (Statement st = context.getConnection().createStatement()) {
            st.execute("CREATE INDEX " + INDEX + " ON metric_rollup (entity, entity_ref, metric, bucket_start) "
                    + "INCLUDE (avg_value, last_value, sample_count) WHERE period_s = 3600");
            if (context.getConnection().getMetaData().getDatabaseMajorVersion() >= 13) {
                // see above: pages all-visible a few days after they were written, not 70
                st.execute("ALTER TABLE metric_rollup SET (autovacuum_vacuum_insert_scale_factor = 0.01)");
            }
        }
    }
}
