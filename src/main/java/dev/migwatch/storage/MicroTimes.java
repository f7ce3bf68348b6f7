package dev.migwatch.storage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Times as microseconds since the epoch (the precision both databases keep), oldest first in the arrays the writer keeps
 * a task's recent state rows in between polls (DelayReadings, FullStepReadings).
 */
final class MicroTimes {
    private MicroTimes() {
    }

    static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    /**
     * The index of the row in force at t among the first size times: the newest at or before it, else the first row (a read
     * from t begins there, as AsOf's row in force does in SQL). The rows before it are the ones no read from t reaches.
     */
    static int inForceAt(long[] at, int size, long t) {
        int from = 0;
        while (from + 1 < size && at[from + 1] <= t) {
            from++;
        }
        return from;
    }

    /** The index of the newest of the first size times at or before t; -1 when there is none. */
    static int newestAtOrBefore(long[] at, int size, long t) {
        int last = size - 1;
        while (last >= 0 && at[last] > t) {
            last--;
        }
        return last;
    }
}
