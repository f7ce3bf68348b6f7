package dev.migwatch.trends;

import dev.migwatch.TestEnvironment;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.sql.DataSource;
import org.apache.camel.main.Main;

/**
 * The REST routes (routes/migwatch-rest.camel.yaml) on camel-main with the embedded platform-http server on a free
 * port, over a given history DataSource: the app's HTTP side without the pollers.
 */
final class RestTestApp implements AutoCloseable {

    final int port;
    private final Main main = new Main();
    private final HttpClient http = HttpClient.newHttpClient();

    RestTestApp(DataSource ds) throws Exception {
        this.port = TestEnvironment.freePort();
        main.bind("trendsApi", new TrendsApi(new TrendsService(new TrendQueries(ds), TrendsSettings.defaults())));
        main.bind("alertsApi", new dev.migwatch.alert.AlertsApi(new dev.migwatch.alert.AlertStore(ds),
                dev.migwatch.alert.AlertsConfig.none()));
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/migwatch-rest.camel.yaml");
        main.addOverrideProperty("camel.server.enabled", "true");
        main.addOverrideProperty("camel.server.host", "127.0.0.1");
        main.addOverrideProperty("camel.server.port", String.valueOf(port));
        main.addOverrideProperty("camel.rest.component", "platform-http");
        main.addOverrideProperty("camel.main.java-routes-exclude-pattern", "**/*");
        main.start();
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        main.stop();
    }

}
