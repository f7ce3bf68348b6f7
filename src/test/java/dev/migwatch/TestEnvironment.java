package dev.migwatch;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What some tests need from the machine (PostgreSQL, Prometheus). {@code bin/test} — the README's test command, which
 * {@code .ci/run} runs — installs and starts all of it and sets {@code MIGWATCH_TEST_COMPLETE=true}: a missing piece is
 * then a failure, never a silent skip. A bare {@code mvn verify} on a machine without them skips those tests and says
 * what to run instead.
 */
public final class TestEnvironment {
    private TestEnvironment() {
    }

    public static boolean complete() {
        return "true".equals(System.getenv("MIGWATCH_TEST_COMPLETE")) || "true".equals(System.getenv("CI"));
    }

    /** Fails (under bin/test) or skips (a bare mvn run) when the piece is missing. */
    public static void require(boolean present, String missing) {
        if (!present && complete()) {
            fail(missing + ", although bin/test should have provided it");
        }
        assumeTrue(present, missing + ": run the tests with bin/test, which installs and starts it");
    }

    /** The JDBC URL of the PostgreSQL database for tests; its user and password are postgresUser()/postgresPassword(). */
    public static String postgresUrl() {
        String url = System.getenv("MIGWATCH_TEST_POSTGRES_URL");
        require(url != null, "MIGWATCH_TEST_POSTGRES_URL is not set (no PostgreSQL for this test)");
        return url;
    }

    public static String postgresUser() {
        return System.getenv("MIGWATCH_TEST_POSTGRES_USER");
    }

    public static String postgresPassword() {
        return System.getenv("MIGWATCH_TEST_POSTGRES_PASSWORD");
    }
}
