package dev.migwatch;

import org.junit.jupiter.api.Test;

import dev.migwatch.source.ConfigException;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigwatchSettingsTest {

    @Test
    void readsSourcesAndGlobalKeysFromEnvironmentVariables() {
        Map<String, String> keys = MigwatchSettings.fromEnvironment(Map.of(
                "MIGWATCH_DB_URL", "jdbc:postgresql://db/migwatch",
                "MIGWATCH_SOURCES_PROD_OMS_PROVIDER", "oms",
                "MIGWATCH_SOURCES_PROD_OMS_ACCESS_KEY_ID", "id",
                "MIGWATCH_SOURCES_PROD_OMS_ACCESS_KEY_SECRET", "secret",
                "MIGWATCH_SOURCES_UC_PRIVATE_KEY", "pk",
                "MIGWATCH_ALERTS_DASHBOARD_URL", "https://migwatch.internal/",
                "MIGWATCH_TEST_POSTGRES_URL", "not ours",
                "PATH", "/usr/bin"));
        assertEquals(Map.of(
                "migwatch.db.url", "jdbc:postgresql://db/migwatch",
                "migwatch.sources.prod-oms.provider", "oms",
                "migwatch.sources.prod-oms.access-key-id", "id",
                "migwatch.sources.prod-oms.access-key-secret", "secret",
                "migwatch.sources.uc.private-key", "pk",
                "migwatch.alerts.dashboard-url", "https://migwatch.internal/"), keys);
    }

    @Test
    void readsTheAlertsRetentionWithTheOthers() {
        assertTrue(MigwatchSettings.GLOBAL_KEYS.contains("migwatch.retention.alerts"), "a known key, not an unknown property");
        assertEquals(Duration.ofDays(365), settings(Map.of()).retention().alerts(), "the default");
        assertEquals(Duration.ofDays(90), settings(Map.of("migwatch.retention.alerts", "90d")).retention().alerts());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> settings(Map.of("migwatch.retention.alerts", "a year")).retention());
        assertTrue(bad.getMessage().contains("migwatch.retention.alerts"), bad.getMessage());
    }

    @Test
    void samplesAreKeptAtLeastAsLongAsTheDelayWindow() {
        ConfigException tooShort = assertThrows(ConfigException.class,
                () -> settings(Map.of("migwatch.retention.samples", "10m")).retention());
        assertTrue(tooShort.getMessage().contains("migwatch.retention.samples (10m) must be at least migwatch.trends.delay-window (30m, the default)"),
                tooShort.getMessage());
        assertEquals(Duration.ofMinutes(10), settings(Map.of("migwatch.retention.samples", "10m",
                "migwatch.trends.delay-window", "10m")).retention().samples(), "as long as the window is enough");
    }

    private static MigwatchSettings settings(Map<String, String> global) {
        return new MigwatchSettings(Map.of(), Map.of(), global, List.of());
    }
}
