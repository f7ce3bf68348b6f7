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

    @Test
    void fiveMinuteRollupsAreKeptBetweenTheSamplesAndTheHourlyRollups() {
        assertTrue(MigwatchSettings.GLOBAL_KEYS.contains("migwatch.retention.rollups-5m"), "a known key, not an unknown property");
        assertEquals(Duration.ofDays(90), settings(Map.of()).retention().rollups5m(), "the default");
        assertEquals(Duration.ofDays(730), settings(Map.of("migwatch.retention.rollups-5m", "730d")).retention().rollups5m(),
                "as long as the hourly ones: the retention before schema version 20");
        // every mistake in one message
        ConfigException wrong = assertThrows(ConfigException.class, () -> settings(Map.of("migwatch.retention.rollups-5m", "12h",
                "migwatch.retention.rollups", "1d", "migwatch.retention.samples", "2d")).retention());
        assertEquals(List.of("migwatch.retention.rollups-5m (12h) must be at least migwatch.retention.samples (2d): samples are deleted "
                        + "in favour of their rollups",
                "migwatch.retention.rollups (1d) must be at least migwatch.retention.samples (2d): samples are deleted in favour of "
                        + "their rollups",
                "migwatch.retention.rollups-5m (12h) must be at least migwatch.trends.delay-lookback (24h, the default): the task list "
                        + "reads how long a delay has been above its threshold from the 5-minute rollups"), wrong.problems());
        ConfigException hourlyFirst = assertThrows(ConfigException.class, () -> settings(Map.of("migwatch.retention.rollups", "60d")).retention());
        assertEquals(List.of("migwatch.retention.rollups (60d) must be at least migwatch.retention.rollups-5m (90d, the default): the "
                + "hourly rollups are what /series reads where the 5-minute ones are gone"), hourlyFirst.problems());
    }

    private static MigwatchSettings settings(Map<String, String> global) {
        return new MigwatchSettings(Map.of(), Map.of(), global, List.of());
    }
}
