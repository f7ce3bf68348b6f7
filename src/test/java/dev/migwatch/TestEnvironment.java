package dev.migwatch;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What some tests need from the machine: PostgreSQL, Chromium, Prometheus. {@code bin/test-setup} (the first half of the
 * README's test command, {@code bin/test-setup && mvn -B verify}, which {@code .ci/run} runs) installs and starts all of
 * it, with the database these defaults name. A missing piece fails its test, with what to run; it is never skipped.
 */
public final class TestEnvironment {
    /** The database bin/test-setup creates; MIGWATCH_TEST_POSTGRES_URL, _USER and _PASSWORD name another one. */
    private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/migwatch_test";
    private static final String DEFAULT_USER = "migwatch";

    private TestEnvironment() {
    }

    /** Fails the test, naming bin/test-setup, when a piece it needs is missing. */
    public static void require(boolean present, String missing) {
        if (!present) {
            fail(missing + ": run bin/test-setup, which installs and starts it (README, Quick start)");
        }
    }

    public static String postgresUrl() {
        return env("MIGWATCH_TEST_POSTGRES_URL", DEFAULT_URL);
    }

    public static String postgresUser() {
        return env("MIGWATCH_TEST_POSTGRES_USER", DEFAULT_USER);
    }

    public static String postgresPassword() {
        return env("MIGWATCH_TEST_POSTGRES_PASSWORD", DEFAULT_USER);
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }

    /** A TCP port free on 127.0.0.1 now, for a server a test is about to start. */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
