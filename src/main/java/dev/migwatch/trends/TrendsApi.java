package dev.migwatch.trends;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API's computing bean ({@code trendsApi}): reads request headers (path and query parameters),
 * validates them, asks {@link TrendsService} and writes a JSON answer with its status code. The routes in
 * routes/migwatch-rest.camel.yaml only say which method answers which URL.
 *
 * <p>Settings come from {@code migwatch.trends.*} properties, validated with the rest of the configuration.
 */
public class TrendsApi {

    private static final Logger LOG = LoggerFactory.getLogger(TrendsApi.class);

    // Instants and Durations as ISO-8601 text (2026-05-01T10:00:00Z, PT15M), as their toString() writes it:
    // jackson-datatype-jsr310 is not on the classpath. Instants through IsoInstantSerializer, which writes the same
    // text without toString's garbage (a list of 1,000 tasks has about 10,000 of them).
    private final ObjectMapper json = new ObjectMapper().registerModule(new SimpleModule("iso-time")
            .addSerializer(Instant.class, new IsoInstantSerializer())
            .addSerializer(Duration.class, ToStringSerializer.instance));
    private final DashboardAssets assets = new DashboardAssets();
    private final TrendsService service;
    private final Supplier<? extends List<?>> sourceLoads;

    public TrendsApi(TrendsService service) {
        this(service, List::of);
    }

    /** @param sourceLoads what GET /api/sources answers: per source, its polling load (PollCycles.sourceLoads) */
    public TrendsApi(TrendsService service, Supplier<? extends List<?>> sourceLoads) {
        this.service = Objects.requireNonNull(service);
        this.sourceLoads = Objects.requireNonNull(sourceLoads);
    }

    // ---- endpoints

    /** GET /api/tasks */
    public void tasks(Exchange ex) {
        answer(ex, () -> Map.of("tasks", service().tasks()));
    }

    /** GET /api/sources */
    public void sources(Exchange ex) {
        answer(ex, () -> Map.of("sources", sourceLoads.get()));
    }

    /** GET /api/tasks/{source}/{taskId} */
    public void task(Exchange ex) {
        answer(ex, () -> {
            String source = ApiParams.required("source", header(ex, "source"));
            String taskId = ApiParams.required("taskId", header(ex, "taskId"));
            return service().task(source, taskId).orElseThrow(() -> unknown(source, taskId));
        });
    }

    /** GET /api/tasks/{source}/{taskId}/series?metric=&step=&from=&to=&points= */
    public void series(Exchange ex) {
        answer(ex, () -> {
            String source = ApiParams.required("source", header(ex, "source"));
            String taskId = ApiParams.required("taskId", header(ex, "taskId"));
            Metric metric = ApiParams.metric(query(ex, "metric"));
            String step = ApiParams.optional("step", query(ex, "step"));
            Instant from = ApiParams.instant("from", query(ex, "from"));
            Instant to = ApiParams.instant("to", query(ex, "to"));
            ApiParams.range(from, to);
            int max = service().settings().maxPoints();
            int points = ApiParams.integer("points", query(ex, "points"), max, 2, max);
            knownTask(source, taskId);
            List<Series> raw = service().queries().series(source, taskId, metric, step, from, to);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("source", source);
            out.put("taskId", taskId);
            out.put("metric", metric.name().toLowerCase(java.util.Locale.ROOT));
            out.put("unit", unit(metric));
            out.put("step", step);
            out.put("from", from);
            out.put("to", to);
            out.put("points", points);
            out.put("rawPoints", raw.stream().mapToInt(s -> s.points().size()).sum());
            out.put("series", Downsampler.downsample(raw, points));
            return out;
        });
    }

    /** GET /api/tasks/{source}/{taskId}/errors?from=&to=&limit= */
    public void errors(Exchange ex) {
        answer(ex, () -> {
            TaskWindow w = taskWindow(ex);
            int limit = ApiParams.integer("limit", query(ex, "limit"), 200, 1, 5000);
            return Map.of("errors", service().queries().errors(w.source(), w.taskId(), w.from(), w.to(), limit));
        });
    }

    /** GET /api/tasks/{source}/{taskId}/raw?from=&to=&limit= : the provider's answers as received, newest first */
    public void raw(Exchange ex) {
        answer(ex, () -> {
            TaskWindow w = taskWindow(ex);
            int limit = ApiParams.integer("limit", query(ex, "limit"), 10, 1, 500);
            return Map.of("answers", service().queries().rawAnswers(w.source(), w.taskId(), w.from(), w.to(), limit));
        });
    }

    /** GET /api/tasks/{source}/{taskId}/components?from=&to= : the component status timeline */
    public void components(Exchange ex) {
        answer(ex, () -> {
            TaskWindow w = taskWindow(ex);
            return Map.of("spans", service().queries().componentTimeline(w.source(), w.taskId(), w.from(), w.to()));
        });
    }

    /** A known task and a valid time range from the request; 400 or 404 otherwise. */
    private record TaskWindow(String source, String taskId, Instant from, Instant to) {
    }

    private TaskWindow taskWindow(Exchange ex) {
        String source = ApiParams.required("source", header(ex, "source"));
        String taskId = ApiParams.required("taskId", header(ex, "taskId"));
        Instant from = ApiParams.instant("from", query(ex, "from"));
        Instant to = ApiParams.instant("to", query(ex, "to"));
        ApiParams.range(from, to);
        knownTask(source, taskId);
        return new TaskWindow(source, taskId, from, to);
    }

    /** GET /api/polls?source=&taskId=&outcome=&from=&to=&limit= */
    public void polls(Exchange ex) {
        answer(ex, () -> {
            Instant from = ApiParams.instant("from", query(ex, "from"));
            Instant to = ApiParams.instant("to", query(ex, "to"));
            ApiParams.range(from, to);
            PollFilter f = new PollFilter(ApiParams.optional("source", query(ex, "source")),
                    ApiParams.optional("taskId", query(ex, "taskId")), ApiParams.outcome(query(ex, "outcome")),
                    from, to, ApiParams.integer("limit", query(ex, "limit"), 100, 1, 5000));
            return Map.of("polls", service().queries().polls(f));
        });
    }

    /** For an onException: whatever escaped becomes a JSON 500 (details go to the log, not the client). */
    public void failure(Exchange ex) {
        Exception e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        write(ex, 500, Map.of("error", "internal error", "status", 500));
        LOG.warn("REST request failed", e);
    }

    // ---- plumbing

    private void answer(Exchange ex, Supplier<Object> body) {
        try {
            write(ex, 200, body.get());
        } catch (ApiProblem p) {
            write(ex, p.status(), Map.of("error", p.getMessage(), "status", p.status()));
        } catch (RuntimeException e) {
            LOG.warn("REST request {} failed", ex.getIn().getHeader(Exchange.HTTP_URI), e);
            write(ex, 500, Map.of("error", "internal error: see the migwatch log", "status", 500));
        }
    }

    private void write(Exchange ex, int status, Object body) {
        try {
            // UTF-8 bytes as the HTTP server sends them: the list of 1,000 tasks is 1.35 MB of JSON, and building it as a
            // String first (Jackson's char segments, the String, then its encoding) allocated 10.3 MB a call; as bytes 6.3, and
            // 3.0 with the times written by IsoInstantSerializer
            ex.getMessage().setBody(json.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        ex.getMessage().setHeader("Cache-Control", "no-store");
    }

    /** A path parameter ({source}, {taskId}), which the REST DSL puts in a header. */
    private static Object header(Exchange ex, String name) {
        return ex.getIn().getHeader(name);
    }

    /** A query parameter (ApiParams.query: from the query string, never a request header). */
    private static String query(Exchange ex, String name) {
        return ApiParams.query(ex, name);
    }

    private void knownTask(String source, String taskId) {
        if (service().queries().task(source, taskId).isEmpty()) {
            throw unknown(source, taskId);
        }
    }

    private static ApiProblem unknown(String source, String taskId) {
        return ApiProblem.notFound("no task '" + taskId + "' of source '" + source + "' in the history");
    }

    private static String unit(Metric m) {
        return switch (m) {
            case PROGRESS -> "percent";
            case PROCESSED -> "records";
            case RPS -> "records/s";
            case DELAY -> "seconds";
            case TPS -> "transactions/s";
        };
    }

    TrendsService service() {
        return service;
    }

    /** GET / and GET /assets/{asset}: the dashboard's files, from a fixed list (see DashboardAssets). */
    public void asset(Exchange ex) {
        if (!assets.serve(ex, (String) ex.getIn().getHeader("asset", String.class))) {
            write(ex, 404, Map.of("error", "no such file", "status", 404));
        }
    }
}
