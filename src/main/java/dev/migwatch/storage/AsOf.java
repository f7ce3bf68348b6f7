package dev.migwatch.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * SQL for "the state row in force at t" of an entity: the newest row at or before t. Neither H2 nor an index range
 * scan finds MAX(polled_at) below t without reading every row of the entity up to t, which grows with its history;
 * so the search first looks in the last hour before t, then the last day, then 35 days, and only then everywhere.
 * An entity that changes at every poll is found in the first step (a hundred rows at most), one that has not changed
 * for weeks in a later one, and SQL's COALESCE stops at the first step that finds a row.
 */
public final class AsOf {
    private static final List<Duration> STEPS = List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(35));

    private AsOf() {
    }

    /**
     * An expression for the polled_at of the row in force at a time, or that time itself when there is none.
     *
     * @param table     a state table (task_state, step_state, component_state)
     * @param refColumn its reference column
     * @param ref       an SQL expression for the entity: a column of an outer table, or "?" (then args() gets its value)
     */
    public static String rowInForce(String table, String refColumn, String ref) {
        StringBuilder sql = new StringBuilder("COALESCE(");
        for (int i = 0; i < STEPS.size(); i++) {
            sql.append("(SELECT MAX(b.polled_at) FROM ").append(table).append(" b WHERE b.").append(refColumn).append(" = ").append(ref)
                    .append(" AND b.polled_at <= ? AND b.polled_at > ?), ");
        }
        sql.append("(SELECT MAX(b.polled_at) FROM ").append(table).append(" b WHERE b.").append(refColumn).append(" = ").append(ref)
                .append(" AND b.polled_at <= ?), ?)");
        return sql.toString();
    }

    /** The parameters of rowInForce, in order; refValue is added before each time when ref is "?", else null. */
    public static void args(List<Object> args, Instant t, Object refValue) {
        for (Duration step : STEPS) {
            if (refValue != null) {
                args.add(refValue);
            }
            args.add(t);
            args.add(t.minus(step));
        }
        if (refValue != null) {
            args.add(refValue);
        }
        args.add(t);
        args.add(t);
    }
}
