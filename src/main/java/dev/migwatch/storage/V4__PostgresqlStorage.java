package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Schema version 4, PostgreSQL only (nothing on H2): raw_body becomes partitioned by day (see RawPartitions), and the
 * dimension tables leave half of each page free. Every poll updates its task's row (the last-poll pointers) and a
 * changed step or component its row: with room on the page PostgreSQL writes the new version beside the old one
 * (a HOT update, no index entry) and prunes the old one on the page as soon as no transaction can see it, without
 * waiting for VACUUM; on full pages each update moved the row and the table grew by a row per poll until VACUUM ran.
 * In Java rather than SQL because the two databases differ here in kind, not in a type name a placeholder could carry.
 */
public class V4__PostgresqlStorage extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        String product = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
        if (product.contains("postgres")) {
            RawPartitions.partition(context.getConnection(), LocalDate.now(ZoneOffset.UTC));
            try (java.sql.Statement st = context.getConnection().createStatement()) {
                for (String table : new String[]{"task", "step", "component"}) {
                    st.execute("ALTER TABLE " + table + " SET (fillfactor = 50)");
                }
            }
        }
    }
}
