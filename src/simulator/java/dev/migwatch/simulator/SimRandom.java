package dev.migwatch.simulator;

/**
 * Deterministic noise: a hash of (seed, task, what, bucket) mapped to [0, 1). Unlike a shared Random it
 * gives the same value whatever the order and number of calls, so a poll never changes later answers.
 */
final class SimRandom {
    private SimRandom() {
    }

    static double unit(long seed, String task, String what, long bucket) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ task.hashCode());
        h = mix(h ^ ((long) what.hashCode() << 16));
        h = mix(h ^ bucket);
        return (h >>> 11) * 0x1.0p-53;
    }

    static long between(long seed, String task, String what, long bucket, long min, long max) {
        return min + (long) Math.floor(unit(seed, task, what, bucket) * (max - min + 1));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
