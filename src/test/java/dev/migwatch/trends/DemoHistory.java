package dev.migwatch.trends;

import java.time.Instant;

/** Two hours of plausible history for three tasks (OMS, DTS, UDTS), ending now: for the browser test. */
final class DemoHistory {

    private DemoHistory() {
    }

    static HistoryFixture fill(HistoryFixture db) {
        Instant end = Instant.now().minusSeconds(5);
        int n = 240;
        long processed = 0;
        for (int i = 0; i < n; i++) {
            Instant at = end.minusSeconds(30L * (n - 1 - i));
            double wave = Math.sin(i / 12.0);
            // OMS: full transfer of 12M records at a changing speed, incremental component starting later.
            String c = "demo-oms-" + i;
            processed = Math.min(12_000_000L, processed + (long) (30 * (700 + 150 * wave)));
            db.call(c, "demo-oms", "OMS", "np_demo1", at, i % 37 == 5 ? "THROTTLED" : "OK",
                    i % 37 == 5 ? "Throttling.User" : null);
            db.task(c, "demo-oms", "OMS", "np_demo1", at, "RUNNING", "FULL_TRANSFER", null, null, null);
            db.step(c, "demo-oms", "OMS", "np_demo1", at, "FULL_TRANSFER", "RUNNING", null, processed, 12_000_000L,
                    700 + 150 * wave, null);
            db.step(c, "demo-oms", "OMS", "np_demo1", at, "INCR_TRANSFER", "PENDING", null, null, null, null, null);
            db.component(c, "demo-oms", "np_demo1", at, "FULL_IMPORT", "full-import-1", "RUNNING", 600 + 100 * wave);
            db.component(c, "demo-oms", "np_demo1", at, "INCR_SYNC", "incr-sync-1",
                    i < 80 ? "PENDING" : i < 150 ? "RUNNING" : i < 165 ? "FAILED" : "RUNNING", i < 80 ? 0.0 : 40 + 20 * wave);
            if (i == 152) {
                db.error(c, 0, "demo-oms", "OMS", "np_demo1", at, "INCR_SYNC_LAG");
            }
            // DTS: incremental sync with a delay spike.
            String d = "demo-dts-" + i;
            long delay = (long) (4 + 3 * Math.abs(wave) + (i > 180 && i < 215 ? (i - 180) * 6 : 0));
            db.call(d, "demo-dts", "DTS", "dtsjob42", at, "OK", null);
            db.task(d, "demo-dts", "DTS", "dtsjob42", at, "RUNNING", "INCR", 100.0, delay, null);
            db.step(d, "demo-dts", "DTS", "dtsjob42", at, "FULL_DATA", "FINISHED", 100.0, null, null, null, null);
            db.step(d, "demo-dts", "DTS", "dtsjob42", at, "INCR_DATA", "RUNNING", null, null, null, null, delay);
            // UDTS: full migration with the provider's own total estimate.
            String u = "demo-udts-" + i;
            db.call(u, "demo-udts", "UDTS", "udts-demo7", at, "OK", null);
            db.task(u, "demo-udts", "UDTS", "udts-demo7", at, "RUNNING", "FULL_MIGRATION", null, null, 9000L);
            db.step(u, "demo-udts", "UDTS", "udts-demo7", at, "FULL_MIGRATION", "RUNNING", null, 4000L * i,
                    2_000_000L, null, null);
        }
        return db;
    }
}
