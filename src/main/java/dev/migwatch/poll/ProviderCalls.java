package dev.migwatch.poll;

import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns an {@link ApiRequest} into an HTTP exchange for the camel-http producer and its answer (or
 * failure) back into an {@link ApiResponse} on the cycle. The endpoint URI is fixed per source and the
 * signed query travels in a header, so signatures do not create a new endpoint per call.
 */
public class ProviderCalls {
    public static final String ENDPOINT = "migwatchEndpoint";
    private static final String STARTED = "migwatchCallStarted";
    private static final String REQUEST = "migwatchRequest";
    private static final String ATTEMPT = "migwatchAttempt";

    private final Clock clock;

    public ProviderCalls(Clock clock) {
        this.clock = clock;
    }

    public void prepare(Exchange exchange) {
        ApiRequest request = exchange.getMessage().getBody(ApiRequest.class);
        PollCycle cycle = exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_METHOD, request.method());
        m.setHeader(Exchange.HTTP_QUERY, request.queryString());
        request.headers().forEach(m::setHeader);
        m.setBody(request.body() == null ? null : request.body().getBytes(StandardCharsets.UTF_8));
        exchange.setProperty(REQUEST, request);
        exchange.setProperty(ATTEMPT, exchange.getProperty(ATTEMPT, 0, Integer.class) + 1);
        exchange.setProperty(ENDPOINT, endpointUri(cycle.source()));
        exchange.setProperty(STARTED, clock.instant());
    }

    /** The camel-http endpoint of a source: its timeouts, and errors returned to us rather than thrown. */
    static String endpointUri(SourceConfig s) {
        String base = s.endpoint().toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + "/?throwExceptionOnFailure=false"
                + "&connectTimeout=" + s.connectTimeout().toMillis()
                + "&connectionRequestTimeout=" + s.connectTimeout().toMillis()
                + "&responseTimeout=" + s.readTimeout().toMillis()
                + "&soTimeout=" + s.readTimeout().toMillis();
    }

    public void record(Exchange exchange) {
        Message m = exchange.getMessage();
        Integer status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String retryAfter = m.getHeader("x-acs-retry-after", String.class);
        if (retryAfter == null) {
            retryAfter = m.getHeader("Retry-After", String.class);
        }
        byte[] body = m.getBody(byte[].class);
        add(exchange, status, m.getHeader(Exchange.CONTENT_TYPE, String.class), retryAfter,
                body == null ? null : new String(body, StandardCharsets.UTF_8), null);
    }

    /** No HTTP answer: connection refused, timeout, reset. The exception text never holds credentials. */
    public void recordFailure(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String failure = e == null ? "unknown failure" : e.getClass().getSimpleName() + ": " + e.getMessage();
        add(exchange, null, null, null, null, failure);
    }

    private void add(Exchange exchange, Integer status, String contentType, String retryAfter, String body, String failure) {
        ApiRequest request = exchange.getProperty(REQUEST, ApiRequest.class);
        Instant started = exchange.getProperty(STARTED, Instant.class);
        Instant now = clock.instant();
        PollCycle cycle = exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
        cycle.add(new ApiResponse(request.api(), exchange.getProperty(ATTEMPT, 1, Integer.class), started,
                Duration.between(started, now).toMillis(), status, contentType, retryAfter, body, failure));
    }
}
