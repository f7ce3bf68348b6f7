package dev.migwatch.storage;

import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells a database that cannot be reached (try the same snapshot again later) from a snapshot the database will
 * never take (set it aside, or it would block every later one).
 *
 * <p>Only clear data errors count as the snapshot's fault: SQLState classes 22 (data exception: too long, bad
 * encoding) and 23 (integrity constraint), and failures that are not SQL errors at all (a mapping bug for this one
 * snapshot). Every other SQL error, whatever the driver (Hikari's SQLTransientConnectionException, H2's broken
 * connection, PostgreSQL's 08xxx and 57P01), is treated as "unavailable": retrying a snapshot that could have been
 * written costs a little time, rejecting one that could have been written loses it from the history.
 */
public final class DatabaseFailures {
    private DatabaseFailures() {
    }

    /** The database could not take the snapshot now; it may later. */
    public static boolean unavailable(Throwable failure) {
        return sqlCause(failure) != null && !badData(failure);
    }

    /** The snapshot itself is at fault: writing it again will fail again. */
    public static boolean badData(Throwable failure) {
        SQLException sql = sqlCause(failure);
        if (sql == null) {
            return failure != null;
        }
        for (Throwable t : chain(failure)) {
            if (t instanceof SQLIntegrityConstraintViolationException || t instanceof SQLDataException) {
                return true;
            }
            if (t instanceof SQLException e && e.getSQLState() != null
                    && (e.getSQLState().startsWith("22") || e.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message, for one log line. */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        List<Throwable> chain = chain(failure);
        Throwable root = chain.get(chain.size() - 1);
        String outer = failure.getClass().getSimpleName() + ": " + firstLine(failure.getMessage());
        return root == failure ? outer : outer + " (cause: " + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
    }

    /** Drivers append the whole SQL statement on further lines; one log line is enough. */
    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private static SQLException sqlCause(Throwable failure) {
        for (Throwable t : chain(failure)) {
            if (t instanceof SQLException e) {
                return e;
            }
        }
        return null;
    }

    /** The failure and its causes; a batch failure's next exception counts as its cause (it names the real error). */
    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && chain.size() < 20 && !chain.contains(t); ) {
            chain.add(t);
            Throwable cause = t.getCause();
            t = cause == null && t instanceof SQLException e ? e.getNextException() : cause;
        }
        return chain;
    }
}
