package dev.migwatch.trends;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * Serves the dashboard's files from the jar. Only the names below can be asked for: Camel's generic
 * static-content server would also answer for any file of the working directory or the class path
 * (application.properties, the H2 database file), which must never leave the host.
 */
final class DashboardAssets {

    private static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    /** request name -> class path resource and media type */
    private static final Map<String, String[]> FILES = Map.of(
            "index.html", new String[] {"migwatch/public/index.html", "text/html; charset=utf-8"},
            "app.js", new String[] {"migwatch/public/app.js", "text/javascript; charset=utf-8"},
            "app.css", new String[] {"migwatch/public/app.css", "text/css; charset=utf-8"},
            "chart.umd.js", new String[] {CHART_JS, "text/javascript; charset=utf-8"});

    /** @return false when the name is not one of the dashboard's files */
    boolean serve(Exchange ex, String name) {
        String[] file = FILES.get(name == null || name.isBlank() ? "index.html" : name);
        if (file == null) {
            return false;
        }
        try (InputStream in = DashboardAssets.class.getClassLoader().getResourceAsStream(file[0])) {
            if (in == null) {
                return false;
            }
            ex.getMessage().setBody(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, file[1]);
        ex.getMessage().setHeader("Cache-Control", "no-cache");
        return true;
    }
}
