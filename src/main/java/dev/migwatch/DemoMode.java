package dev.migwatch;

import org.apache.camel.main.Main;

/** --demo: starts the built-in simulator and points three demo sources (OMS, DTS, UDTS) at it. */
final class DemoMode {
    static DemoMode start(Main main) {
        throw new UnsupportedOperationException("pending simulator merge");
    }

    void stop() {
    }
}
