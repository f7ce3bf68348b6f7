package dev.migwatch.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The columns one record is kept in on a row, in the record's order: the figures the writer keeps on task_latest
 * (DelayWindowFigures, KeptEta). Gives the UPDATE's assignments and a reader's select list, and binds and reads the values
 * in that order.
 */
final class ColumnGroup {
    private final List<SqlRow.Col> cols;

    ColumnGroup(List<SqlRow.Col> cols) {
        this.cols = List.copyOf(cols);
    }

    int size() {
        return cols.size();
    }

    /** ", column = ?" for each column, for an UPDATE's SET. */
    String assignments() {
        return cols.stream().map(c -> ", " + c.name() + " = ?").collect(Collectors.joining());
    }

    /** The columns qualified by a table alias, for a select list. */
    String columns(String alias) {
        return cols.stream().map(c -> alias + "." + c.name()).collect(Collectors.joining(", "));
    }

    /** Binds the values next in row, each as its column's kind; all NULL when values is null. */
    SqlRow bind(SqlRow row, List<?> values) throws SQLException {
        for (int i = 0; i < cols.size(); i++) {
            row.value(values == null ? null : values.get(i), cols.get(i).kind());
        }
        return row;
    }

    /** The values read from the columns, from index column on. */
    Object[] read(ResultSet rs, int column) throws SQLException {
        Object[] v = new Object[cols.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = SqlRow.read(rs, column + i, cols.get(i).kind());
        }
        return v;
    }
}
