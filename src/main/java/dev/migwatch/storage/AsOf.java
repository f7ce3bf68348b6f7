package dev.migwatch.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for "the row in force at t" of an entity or a series: the newest row at or before t. Neither H2 nor an index
 * range scan finds MAX(polled_at) below t without reading every row of the entity up to t, which grows with its history;
 * so the search first looks in the last hour before t, then the last day, then 35 days, and only then everywhere.
 * An entity that changes at every poll is found in the first step (a hundred rows at most), one that has not changed
 * for weeks in a later one, and SQL's COALESCE stops at the first step that finds a row.
 * <p>
 * Over many entities, compute it once per entity in a derived table's select list and compare the rows with that
 * column: as a condition of the join that reads the rows, H2 evaluates it again at every row it reads (TrendQueries'
 * statesOf, delaySeries and fullStepSamples; 2.2 s instead of 0.1 for the samples of 1,000 tasks in full transfer).
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
        return rowInForce(table, "polled_at", "b." + refColumn + " = " + ref, "?", parameters());
    }

    /** The parameters of rowInForce, in order; refValue is added before each time when ref is "?", else null. */
    public static void args(List<Object> args, Instant t, Object refValue) {
        argsFor(args, t, refValue == null ? List.of() : List.of(refValue));
    }

    /**
     * The general form: the newest timeColumn of table (aliased b) at or before at, among the rows that key selects.
     *
     * @param key   a condition on b: the entity or series, with columns of an outer row or "?" parameters
     * @param at    the time: "?" or an SQL expression (a column of an outer row)
     * @param after one lower bound per search step (see lowerBounds), each "?" or an SQL expression
     */
    public static String rowInForce(String table, String timeColumn, String key, String at, List<String> after) {
        StringBuilder sql = new StringBuilder("COALESCE(");
        for (String bound : after) {
            sql.append("(SELECT MAX(b.").append(timeColumn).append(") FROM ").append(table).append(" b WHERE ").append(key)
                    .append(" AND b.").append(timeColumn).append(" <= ").append(at).append(" AND b.").append(timeColumn).append(" > ")
                    .append(bound).append("), ");
        }
        sql.append("(SELECT MAX(b.").append(timeColumn).append(") FROM ").append(table).append(" b WHERE ").append(key)
                .append(" AND b.").append(timeColumn).append(" <= ").append(at).append("), ").append(at).append(")");
        return sql.toString();
    }

    /** The parameters of the general rowInForce with at and every bound "?": the key's before each step. */
    public static void argsFor(List<Object> args, Instant t, List<?> keyArgs) {
        argsFor(args, t, keyArgs, true);
    }

    /** As argsFor, for a rowInForce with the steps (parameters()) or without them (an empty list). */
    public static void argsFor(List<Object> args, Instant t, List<?> keyArgs, boolean stepped) {
        for (Instant bound : stepped ? lowerBounds(t) : List.<Instant>of()) {
            args.addAll(keyArgs);
            args.add(t);
            args.add(bound);
        }
        args.addAll(keyArgs);
        args.add(t);
        args.add(t);
    }

    /**
     * Whether a database needs the stepped search. H2 does (see above). PostgreSQL finds the newest row below t of a key
     * prefix with one backward scan of the primary key, and the bounded steps only mislead it: on metric_rollup it takes
     * the narrow time range of a step for the cheaper path and scans the time index through every series' rows of that
     * hour. There, rowInForce is given no steps (an empty "after").
     */
    public static boolean stepped(java.sql.Connection c) throws java.sql.SQLException {
        return DatabaseProduct.of(c) != DatabaseProduct.POSTGRESQL;
    }

    /** The lower bound of each search step before t, for a rowInForce whose bounds are columns of an outer row. */
    public static List<Instant> lowerBounds(Instant t) {
        List<Instant> out = new ArrayList<>();
        for (Duration step : STEPS) {
            out.add(t.minus(step));
        }
        return out;
    }

    /** "?" for each search step. */
    public static List<String> parameters() {
        return STEPS.stream().map(s -> "?").toList();
    }

    /** Column names prefix1 .. prefixN, one per search step: the bounds of a rowInForce over an outer row. */
    public static List<String> columns(String prefix) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= STEPS.size(); i++) {
            out.add(prefix + i);
        }
        return out;
    }
}
