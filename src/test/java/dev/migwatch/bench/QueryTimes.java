package dev.migwatch.bench;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.TreeMap;

/** A DataSource that adds up the time of each statement it runs, by the statement's first words: where a read's time goes. */
final class QueryTimes {
    private final Map<String, long[]> byStatement = new TreeMap<>();

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
        return proxy(PreparedStatement.class, ps, (target, method, args) -> {
            if (!method.getName().startsWith("execute")) {
                return method.invoke(target, args);
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
