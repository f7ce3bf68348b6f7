package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Schema version 4: on PostgreSQL, raw_body becomes partitioned by day (see RawPartitions). Nothing on H2, which has
 * no partitioning: there retention deletes in slices. In Java rather than SQL because the two databases differ here
 * in kind, not in a type name a placeholder could carry.
 */
public class V4__PartitionRawBodies extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        String product = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
        if (product.contains("postgres")) {
            RawPartitions.partition(context.getConnection(), LocalDate.now(ZoneOffset.UTC));
        }
    }
}
