package dev.migwatch.bench;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A DataSource that adds up the time of each statement it runs, by the statement's first words: where a read's time goes.
 * It also keeps the newest run of each statement with its parameters, so that the slowest can be run again under EXPLAIN.
 */
final class QueryTimes {
    private final Map<String, long[]> byStatement = new TreeMap<>();
    /** The newest run of each statement: its SQL and parameters. */
    private final Map<String, Run> lastRun = new TreeMap<>();

    record Run(String sql, Map<Integer, Object> params) {
    }

    DataSource wrap(DataSource db) {
        return proxy(DataSource.class, db, (target, method, args) -> {
            Object result = method.invoke(target, args);
            return method.getName().equals("getConnection") ? connection((Connection) result) : result;
        });
    }

    private Connection connection(Connection c) {
        return proxy(Connection.class, c, (target, method, args) -> {
            Object result = method.invoke(target, args);
            if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql) {
                return statement((PreparedStatement) result, sql);
            }
            return result;
        });
    }

    private PreparedStatement statement(PreparedStatement ps, String sql) {
        String key = sql.replaceAll("\\(VALUES .*?\\) w\\(", "(VALUES ...) w(").replaceAll("\\s+", " ");
        String shortKey = key.length() > 160 ? key.substring(0, 160) : key;
        Map<Integer, Object> params = new TreeMap<>();
        return proxy(PreparedStatement.class, ps, (target, method, args) -> {
            if (method.getName().startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer i) {
                params.put(i, args[1]);
            }
            if (!method.getName().startsWith("execute")) {
                return method.invoke(target, args);
            }
            synchronized (byStatement) {
                lastRun.put(shortKey, new Run(sql, new TreeMap<>(params)));
            }
            long t = System.nanoTime();
            try {
                return method.invoke(target, args);
            } finally {
                synchronized (byStatement) {
                    long[] v = byStatement.computeIfAbsent(shortKey, k -> new long[2]);
                    v[0] += System.nanoTime() - t;
                    v[1]++;
                }
            }
        });
    }

    /** Total ms and count per statement since the last call, largest first; resets. */
    String report() {
        synchronized (byStatement) {
            StringBuilder b = new StringBuilder();
            byStatement.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(12)
                    .forEach(e -> b.append(String.format("%n  %8.1f ms %5d x  %s", e.getValue()[0] / 1e6, e.getValue()[1], e.getKey())));
            byStatement.clear();
            return b.toString();
        }
    }

    /** The newest run of each statement whose time since the last report is at least minMs, slowest first (read before report()). */
    List<Run> slowest(double minMs) {
        synchronized (byStatement) {
            return byStatement.entrySet().stream().filter(e -> e.getValue()[0] / 1e6 / e.getValue()[1] >= minMs)
                    .sorted((x, y) -> Long.compare(y.getValue()[0] / y.getValue()[1], x.getValue()[0] / x.getValue()[1]))
                    .map(e -> lastRun.get(e.getKey())).toList();
        }
    }

    /**
     * PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of a statement run again with its parameters; generic: the plan PostgreSQL
     * caches for a prepared statement once it has run it five times (the driver prepares a statement on the server after
     * as many runs), which does not know the parameters' values.
     */
    /** H2's EXPLAIN ANALYZE of a run, with its parameters' values: the plan it chose, with the rows each table read. */
    static String explainH2(DataSource db, Run run) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("EXPLAIN ANALYZE " + run.sql())) {
            for (Map.Entry<Integer, Object> p : run.params().entrySet()) {
                ps.setObject(p.getKey(), p.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    b.append(rs.getString(1)).append('\n');
                }
            }
        }
        return b.toString();
    }

    static String explain(DataSource db, Run run, boolean generic) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection c = db.getConnection()) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET plan_cache_mode = " + (generic ? "force_generic_plan" : "force_custom_plan"));
            }
            try {
                explain(c, run, generic, b);
            } finally {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("RESET plan_cache_mode");
                }
            }
        }
        return b.toString();
    }

    private static void explain(Connection c, Run run, boolean generic, StringBuilder b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + run.sql())) {
            // a named statement on the server from the first run, so that plan_cache_mode applies to it
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(generic ? -1 : 0);
            for (Map.Entry<Integer, Object> p : run.params().entrySet()) {
                ps.setObject(p.getKey(), p.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    b.append(rs.getString(1)).append('\n');
                }
            }
        }
    }

    interface Call {
        Object call(Object target, Method method, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Call call) {
        InvocationHandler h = (p, method, args) -> {
            try {
                return call.call(target, method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(QueryTimes.class.getClassLoader(), new Class<?>[]{type}, h);
    }
}
