package dev.migwatch.trends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RestApiTest {

    private static RestTestApp app;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        app = new RestTestApp(new HistoryFixture().standard().dataSource);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static JsonNode ok(String path) throws Exception {
        HttpResponse<String> r = app.get(path);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    private static JsonNode problem(String path, int status) throws Exception {
        HttpResponse<String> r = app.get(path);
        assertEquals(status, r.statusCode(), path + " -> " + r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        assertTrue(body.get("error").asText().length() > 5);
        return body;
    }

    @Test
    void taskList() throws Exception {
        JsonNode tasks = ok("/api/tasks").get("tasks");
        assertEquals(3, tasks.size());
        JsonNode oms = tasks.get(1);
        assertEquals("oms-prod", oms.get("source").asText());
        assertEquals("np_1", oms.get("taskId").asText());
        assertEquals("OMS", oms.get("provider").asText());
        assertEquals("RUNNING", oms.get("status").asText());
        assertEquals("FULL_TRANSFER", oms.get("runningSteps").get(0).get("stepName").asText());
        assertEquals(54.0, oms.get("runningSteps").get(0).get("progressPct").asDouble(), 1e-9);
        assertEquals("2026-01-01T00:16:40Z", oms.get("eta").get("finishAt").asText());
        assertEquals(1000.0, oms.get("eta").get("ratePerSecond").asDouble(), 1e-6);
        assertEquals("2026-01-01T00:09:30Z", oms.get("lastPoll").get("at").asText());
        assertEquals("SLOW_TABLE", oms.get("lastError").get("code").asText());
        // the answer is UTF-8 as its Content-Type says: a provider's Chinese message arrives as it was stored
        assertEquals("SLOW_TABLE message: 表 orders 迁移慢", oms.get("lastError").get("message").asText());
        assertEquals("no successful poll yet", tasks.get(0).get("eta").get("reason").asText());
        assertEquals(110, tasks.get(2).get("delay").get("current").asInt());
    }

    @Test
    void taskDetailAndUnknownTask() throws Exception {
        JsonNode d = ok("/api/tasks/oms-prod/np_1");
        assertEquals("np_1", d.get("task").get("taskId").asText());
        assertEquals(2, d.get("steps").size());
        assertEquals(1, d.get("components").size());
        assertTrue(problem("/api/tasks/oms-prod/nope", 404).get("error").asText().contains("nope"));
        problem("/api/tasks/nowhere/np_1/series?metric=progress", 404);
        problem("/api/tasks/nowhere/np_1/errors", 404);
    }

    @Test
    void seriesDownsampledAndFiltered() throws Exception {
        JsonNode s = ok("/api/tasks/oms-prod/np_1/series?metric=processed&points=4");
        assertEquals("records", s.get("unit").asText());
        assertEquals(10, s.get("rawPoints").asInt());
        JsonNode line = s.get("series").get(0);
        assertEquals("FULL_TRANSFER", line.get("name").asText());
        assertTrue(line.get("points").size() <= 4);
        assertTrue(line.get("points").get(0).has("t"));
        JsonNode rps = ok("/api/tasks/oms-prod/np_1/series?metric=RPS&step=FULL_TRANSFER"
                + "&from=2026-01-01T00:01:00Z&to=1767225780000");
        assertEquals(2, rps.get("series").size());
        assertEquals(3, rps.get("series").get(0).get("points").size());
    }

    @Test
    void badParametersSayWhatIsWrong() throws Exception {
        assertTrue(problem("/api/tasks/oms-prod/np_1/series", 400).get("error").asText().contains("metric"));
        assertTrue(problem("/api/tasks/oms-prod/np_1/series?metric=speed", 400).get("error").asText()
                .contains("progress, processed, rps, delay, tps"));
        assertTrue(problem("/api/tasks/oms-prod/np_1/series?metric=delay&from=yesterday", 400).get("error")
                .asText().startsWith("from must be an ISO-8601 time"));
        assertTrue(problem("/api/tasks/oms-prod/np_1/series?metric=delay&points=0", 400).get("error").asText()
                .startsWith("points must be between 2 and"));
        assertTrue(problem("/api/tasks/oms-prod/np_1/series?metric=delay&points=many", 400).get("error").asText()
                .startsWith("points must be a whole number"));
        problem("/api/tasks/oms-prod/np_1/errors?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", 400);
        problem("/api/polls?limit=0", 400);
        problem("/api/polls?outcome=not%20a%20word", 400);
        problem("/api/polls?to=soon", 400);
    }

    @Test
    void requestHeadersAreNotQueryParameters() throws Exception {
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(app.base() + "/api/polls?limit=2")).header("limit", "0").header("outcome", "bogus word").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, JSON.readTree(r.body()).get("polls").size());
    }

    @Test
    void errorsPollsAndComponents() throws Exception {
        assertEquals(1, ok("/api/tasks/oms-prod/np_1/errors?from=2026-01-01T00:00:00Z").get("errors").size());
        assertEquals(0, ok("/api/tasks/oms-prod/np_1/errors?from=2026-01-01T00:08:00%2B00:00").get("errors").size());
        JsonNode polls = ok("/api/polls?source=oms-prod&outcome=throttled").get("polls");
        assertEquals(1, polls.size());
        assertEquals("Throttling.User", polls.get(0).get("errorCode").asText());
        assertEquals(2, ok("/api/polls?limit=2").get("polls").size());
        assertEquals(2, ok("/api/tasks/oms-prod/np_1/components").get("spans").size());
    }

    @Test
    void dashboardFilesOnlyFromTheList() throws Exception {
        HttpResponse<String> index = app.get("/");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("/assets/chart.umd.js"));
        HttpResponse<String> chart = app.get("/assets/chart.umd.js");
        assertEquals(200, chart.statusCode());
        assertTrue(chart.body().contains("Chart"));
        assertEquals(200, app.get("/assets/app.js").statusCode());
        assertEquals(404, app.get("/assets/application.properties").statusCode());
        assertEquals(404, app.get("/assets/logback.xml").statusCode());
    }
}
