package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;
import java.util.Locale;

/**
 * Schema version 10: /series over a year reads the hourly rollups from an index alone (issue #8), on PostgreSQL.
 * <p>
 * PostgreSQL keeps metric_rollup's rows in the order they were written: every hour, the 5-minute and hourly rows of all
 * series side by side. A year of one series' hourly rows (8,760) was therefore 8,760 rows on as many heap pages, found
 * through the primary key: 7,800 page reads, 23 ms per series with every page in memory and 130 ms when they were not
 * (EXPLAIN (ANALYZE, BUFFERS); a year of delay is two series). This index holds what the reader takes of an hourly row
 * (its average, last value and count), ordered by series and time, so that a series' year is read from about 100
 * consecutive index pages and no table page (an index-only scan; VACUUM keeps the pages of an insert-only table
 * all-visible). Only the hourly rows are in it, about a twelfth of the rollup rows, which keeps the bytes a poll
 * costs small (10 bytes a rollup row against 50 for the same columns on the whole primary key); period_s is its
 * condition rather than a column, so the reader names the period in the SQL text, not as a parameter.
 * <p>
 * H2 has neither partial indexes nor INCLUDE, and needs neither: it reads the same year through its page cache in a
 * few milliseconds (see README "Measurements"). The version is 10 because another change may take 9.
 */
public class V10__HourlyRollupIndex extends BaseJavaMigration {
    /** The index's name, for the tests that check the plan. */
    public static final String INDEX = "metric_rollup_hour";

    @Override
    public void migrate(Context context) throws Exception {
        boolean postgres = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        if (!postgres) {
            return;
        }
        try (Statement st = context.getConnection().createStatement()) {
            st.execute("CREATE INDEX " + INDEX + " ON metric_rollup (entity, entity_ref, metric, bucket_start) "
                    + "INCLUDE (avg_value, last_value, sample_count) WHERE period_s = 3600");
            if (context.getConnection().getMetaData().getDatabaseMajorVersion() >= 13) {
                // An index-only scan still reads the table page of a row on a page VACUUM has not marked all-visible yet.
                // By default autovacuum visits an insert-mostly table after a fifth of its rows were added, which for one
                // task a year old is the rows of its last 70 days; after 1 % (a few days) it only reads the pages added since
                st.execute("ALTER TABLE metric_rollup SET (autovacuum_vacuum_insert_scale_factor = 0.01)");
            }
        }
    }
}
