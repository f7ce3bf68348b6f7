package dev.migwatch.storage;

import java.util.List;

/**
 * The metrics kept as rollups, per entity: what /series charts and what reports aggregate over long ranges.
 * column is an expression over the entity's state row aliased s.
 */
public enum RollupMetric {
    TASK_PROGRESS('T', "progress_pct", "s.progress_pct"),
    TASK_DELAY('T', "delay_seconds", "s.delay_seconds"),
    TASK_PROCESSED('T', "processed_records", "s.processed_records"),
    STEP_PROGRESS('S', "progress_pct",
            "COALESCE(s.progress_pct, CASE WHEN s.capacity > 0 THEN 100.0 * s.processed_records / s.capacity END)"),
    STEP_PROCESSED('S', "processed_records", "s.processed_records"),
    STEP_SRC_RPS('S', "src_rps", "s.src_rps"),
    STEP_DST_RPS('S', "dst_rps", "s.dst_rps"),
    STEP_DELAY('S', "delay_seconds", "COALESCE(s.delay_seconds, s.delay_ms / 1000)"),
    COMPONENT_TPS('C', "tps", "s.tps"),
    COMPONENT_DELAY('C', "delay_seconds", "s.delay_seconds"),
    COMPONENT_PROGRESS('C', "progress_pct", "s.progress_pct");

    /** T task, S step, C component: metric_rollup.entity. */
    public final char entity;
    /** metric_rollup.metric */
    public final String metric;
    final String column;

    RollupMetric(char entity, String metric, String column) {
        this.entity = entity;
        this.metric = metric;
        this.column = column;
    }

    /**
     * metric_rollup.entity = entity as SQL: a CHAR(1) literal. H2 compares the column with a text literal or a setString
     * parameter (VARCHAR) by converting to CHAR at every comparison of an index search: 15 % of a rollup lookup's time
     * under C1, and a new value each time (the rollup maintenance's largest allocation).
     */
    public static String entityIs(String column, char entity) {
        return column + " = CAST('" + entity + "' AS CHAR(1))";
    }

    /** As entityIs, for a parameter bound with the entity's letter. */
    public static String entityIsParameter(String column) {
        return column + " = CAST(? AS CHAR(1))";
    }

    static List<RollupMetric> of(char entity) {
        return java.util.Arrays.stream(values()).filter(m -> m.entity == entity).toList();
    }
}
