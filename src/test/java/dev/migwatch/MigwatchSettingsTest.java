package dev.migwatch;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
