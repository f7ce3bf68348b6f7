package dev.migwatch.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migwatch.trends.ApiParams;
import dev.migwatch.trends.ApiProblem;
import org.apache.camel.Exchange;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * GET /api/alerts ({@code alertsApi}): the history of the alerts, read from the database. The REST DSL binds the answer
 * to JSON; a bad parameter is a 400 with {"error", "status"}, as for the other endpoints.
 */
public class AlertsApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AlertStore store;
    private final AlertsConfig config;

    public AlertsApi(AlertStore store, AlertsConfig config) {
        this.store = store;
        this.config = config;
    }

    /** One alert; times as ISO-8601 UTC text. */
    public record AlertView(long id, String rule, String state, String source, String provider, String taskId, String taskName,
                            String condition, String value, String threshold, String since, String firedAt, String resolvedAt,
                            String message, String url, List<NotificationView> notifications) {
    }

    /** One notification to one channel and how its delivery went (QUEUED, DELIVERED, FAILED). */
    public record NotificationView(String channel, String kind, String at, String outcome, int attempts, String endedAt,
                                   String error) {
    }

    /** GET /api/alerts?state=&from=&to=&limit= : {"alerts":[...]}, newest first. */
    public Object alerts(Exchange ex) {
        try {
            AlertState state = state(ApiParams.optional("state", ApiParams.query(ex, "state")));
            Instant from = ApiParams.instant("from", ApiParams.query(ex, "from"));
            Instant to = ApiParams.instant("to", ApiParams.query(ex, "to"));
            ApiParams.range(from, to);
            int limit = ApiParams.integer("limit", ApiParams.query(ex, "limit"), 500, 1, 5000);
            return Map.of("alerts", store.history(state, from, to, limit).stream().map(this::view).toList());
        } catch (ApiProblem p) {
            // an error code skips the JSON binding (skipBindingOnErrorCode): the body is written here
            ex.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, p.status());
            ex.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
            try {
                return JSON.writeValueAsString(Map.of("error", p.getMessage(), "status", p.status()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static AlertState state(String v) {
        if (v == null) {
            return null;
        }
        return Arrays.stream(AlertState.values()).filter(s -> s.name().equalsIgnoreCase(v)).findFirst()
                .orElseThrow(() -> ApiProblem.badRequest("state must be one of PENDING, FIRING, RESOLVED, not '" + v + "'"));
    }

    private AlertView view(AlertStore.AlertRow a) {
        return new AlertView(a.id(), a.rule(), a.state().name(), a.source(), a.provider(), a.taskId(), a.taskName(), a.condition(),
                a.value(), a.threshold(), text(a.since()), text(a.firedAt()), text(a.resolvedAt()), a.message(),
                config.taskUrl(a.source(), a.taskId()), a.notifications().stream().map(n -> new NotificationView(n.channel(),
                        n.kind().name(), text(n.at()), n.outcome().name(), n.attempts(), text(n.endedAt()), n.error())).toList());
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
