package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * migwatch.http.auth: without the credentials everything migwatch serves answers 401 (API, dashboard, health), with them
 * 200; liveness stays open.
 */
class HttpAccessTest {
    private static final String PASSWORD = "HttpAccessPassw0rd-8d21";
    private static final String TOKEN = "HttpAccessToken-5b7e0f";
    private static final List<String> GUARDED = List.of("/api/tasks", "/api/polls", "/api/sources", "/", "/observe/health");
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void basicAuthenticationGuardsEverythingButLiveness() throws Exception {
        String right = "Basic " + Base64.getEncoder().encodeToString(("viewer:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        String wrong = "Basic " + Base64.getEncoder().encodeToString("viewer:guess".getBytes(StandardCharsets.UTF_8));
        run(Map.of("migwatch.http.auth", "basic", "migwatch.http.user", "viewer", "migwatch.http.password", PASSWORD), right, wrong);
    }

    @Test
    void bearerTokenGuardsEverythingButLiveness() throws Exception {
        run(Map.of("migwatch.http.auth", "token", "migwatch.http.token", TOKEN), "Bearer " + TOKEN, "Bearer not-" + TOKEN);
    }

    private void run(Map<String, String> auth, String right, String wrong) throws Exception {
        try (ProviderSimulator sim = new ProviderSimulator(SimulatorSettings.defaults().withSpeed(100)
                .withOmsProject("np_http", OmsScenario.FULL_THEN_INCREMENTAL), 0).start()) {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Main m = new Main();
            m.setDefaultPropertyPlaceholderLocation("classpath:migwatch/application.properties");
            m.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/migwatch-*.camel.yaml");
            m.addOverrideProperty("camel.server.port", String.valueOf(port));
            // health served as the observe branch serves it: on the management side of the same server
            m.addOverrideProperty("camel.management.healthCheckEnabled", "true");
            m.addOverrideProperty("migwatch.db.url", "jdbc:h2:mem:http-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            m.addOverrideProperty("migwatch.journal.dir", dir.resolve("journal").toString());
            String p = "migwatch.sources.http.";
            m.addOverrideProperty(p + "provider", "oms");
            m.addOverrideProperty(p + "endpoint", sim.baseUri().toString());
            m.addOverrideProperty(p + "access-key-id", sim.settings().accessKeyId());
            m.addOverrideProperty(p + "access-key-secret", sim.settings().accessKeySecret());
            m.addOverrideProperty(p + "tasks", "np_http");
            auth.forEach(m::addOverrideProperty);
            m.configure().addConfiguration(new MigwatchConfiguration());
            m.start();
            try {
                String base = "http://127.0.0.1:" + port;
                for (String path : GUARDED) {
                    HttpResponse<String> none = get(base + path, null);
                    assertEquals(401, none.statusCode(), path + " without credentials: " + none.body());
                    assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent(), path);
                    assertEquals(401, get(base + path, wrong).statusCode(), path + " with wrong credentials");
                    HttpResponse<String> ok = get(base + path, right);
                    assertEquals(200, ok.statusCode(), path + " with the credentials: " + ok.body());
                }
                // liveness answers whoever asks (a load balancer, a kubelet): whatever it answers, it is not a 401
                assertNotEquals(401, get(base + "/observe/health/live", null).statusCode());
            } finally {
                m.stop();
            }
        }
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
