package dev.migwatch.trends;

import java.util.ArrayList;
import java.util.List;

/**
 * A derived table of bound values, (VALUES (?, ?), (?, ?)) alias(a, b): one row per task of a batched read, so that a
 * single query answers for every task, each with its own times. The first row casts each parameter to its column's
 * type, which both H2 and PostgreSQL then give the whole column.
 */
final class ValuesTable {
    /** PostgreSQL takes at most 32,767 parameters in one statement; a batch bigger than this is read in chunks. */
    static final int MAX_PARAMETERS = 30_000;

    private final String alias;
    private final List<String> names = new ArrayList<>();
    private final List<String> types = new ArrayList<>();
    private final List<List<Object>> rows = new ArrayList<>();

    /** @param columns "name TYPE" each, TYPE an SQL type of both databases (INTEGER, TIMESTAMP, VARCHAR(600), DOUBLE PRECISION) */
    ValuesTable(String alias, List<String> columns) {
        this.alias = alias;
        for (String c : columns) {
            int space = c.indexOf(' ');
            names.add(c.substring(0, space));
            types.add(c.substring(space + 1));
        }
    }

    void row(List<Object> values) {
        if (values.size() != names.size()) {
            throw new IllegalArgumentException(values.size() + " values for " + names);
        }
        rows.add(values);
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The rows whose first value is one of these. */
    ValuesTable only(java.util.Set<?> firstValues) {
        ValuesTable t = new ValuesTable(alias, List.of());
        t.names.addAll(names);
        t.types.addAll(types);
        rows.stream().filter(r -> firstValues.contains(r.get(0))).forEach(t.rows::add);
        return t;
    }

    /** The table split so that no part binds more than maxParameters values. */
    List<ValuesTable> chunks(int maxParameters) {
        int perChunk = Math.max(1, maxParameters / names.size());
        List<ValuesTable> out = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += perChunk) {
            ValuesTable t = new ValuesTable(alias, List.of());
            t.names.addAll(names);
            t.types.addAll(types);
            t.rows.addAll(rows.subList(from, Math.min(rows.size(), from + perChunk)));
            out.add(t);
        }
        return out;
    }

    /** The SQL of the derived table; its values are appended to args in order. */
    String sql(List<Object> args) {
        StringBuilder sql = new StringBuilder("(VALUES ");
        for (int r = 0; r < rows.size(); r++) {
            sql.append(r == 0 ? "(" : ", (");
            for (int c = 0; c < names.size(); c++) {
                sql.append(c == 0 ? "" : ", ").append(r == 0 ? "CAST(? AS " + types.get(c) + ")" : "?");
                args.add(rows.get(r).get(c));
            }
            sql.append(')');
        }
        return sql.append(") ").append(alias).append('(').append(String.join(", ", names)).append(')').toString();
    }
}
