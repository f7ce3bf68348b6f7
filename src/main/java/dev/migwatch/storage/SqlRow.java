package dev.migwatch.storage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Sets statement parameters left to right, nulls typed, times as UTC timestamps, and reads them back the
 * same way. Times are cut to microseconds, the precision both databases keep, so a value read back equals
 * the value that was written (change detection compares the two).
 */
final class SqlRow {
    private final PreparedStatement ps;
    private int i = 1;

    SqlRow(PreparedStatement ps) {
        this.ps = ps;
    }

    SqlRow value(Object v, Col.Kind kind) throws SQLException {
        if (v == null) {
            ps.setNull(i++, kind.sqlType);
            return this;
        }
        switch (kind) {
            case TEXT -> ps.setString(i++, (String) v);
            case LONG -> ps.setLong(i++, (Long) v);
            case INT -> ps.setInt(i++, (Integer) v);
            case DOUBLE -> ps.setDouble(i++, (Double) v);
            case BOOL -> ps.setBoolean(i++, (Boolean) v);
            case TIME -> ps.setObject(i++, LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
            case BYTES -> ps.setBytes(i++, (byte[]) v);
        }
        return this;
    }

    SqlRow str(String v) throws SQLException {
        return value(v, Col.Kind.TEXT);
    }

    SqlRow num(Long v) throws SQLException {
        return value(v, Col.Kind.LONG);
    }

    SqlRow integer(Integer v) throws SQLException {
        return value(v, Col.Kind.INT);
    }

    SqlRow time(Instant v) throws SQLException {
        return value(v, Col.Kind.TIME);
    }

    /** Sets each of args in turn: an Instant as a time, an Integer as an integer (AsOf's parameters). */
    SqlRow all(java.util.List<Object> args) throws SQLException {
        for (Object a : args) {
            if (a instanceof Instant t) {
                time(t);
            } else {
                integer((Integer) a);
            }
        }
        return this;
    }

    static Object read(ResultSet rs, int col, Col.Kind kind) throws SQLException {
        Object v = switch (kind) {
            case TEXT -> rs.getString(col);
            case LONG -> rs.getLong(col);
            case INT -> rs.getInt(col);
            case DOUBLE -> rs.getDouble(col);
            case BOOL -> rs.getBoolean(col);
            case TIME -> {
                LocalDateTime t = rs.getObject(col, LocalDateTime.class);
                yield t == null ? null : t.toInstant(ZoneOffset.UTC);
            }
            case BYTES -> rs.getBytes(col);
        };
        return rs.wasNull() ? null : v;
    }

    static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    /** Providers send free text of any length; a too-long message must not cost the whole cycle. */
    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** A column: its name and how its values are bound and read. */
    record Col(String name, Kind kind) {
        enum Kind {
            TEXT(Types.VARCHAR), LONG(Types.BIGINT), INT(Types.INTEGER), DOUBLE(Types.DOUBLE), BOOL(Types.BOOLEAN),
            TIME(Types.TIMESTAMP), BYTES(Types.VARBINARY);

            final int sqlType;

            Kind(int sqlType) {
                this.sqlType = sqlType;
            }
        }
    }
}
