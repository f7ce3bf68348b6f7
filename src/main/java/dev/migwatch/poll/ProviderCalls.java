package dev.migwatch.poll;

import dev.migwatch.history.BodyText;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.JsonBody;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.history.ApiCall;
import dev.migwatch.http.NoHttpRetry;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.Message;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an {@link ApiRequest} into an HTTP exchange for the camel-http producer and its answer (or
 * failure) back into an {@link ApiResponse} on the cycle, deciding whether the call is tried again.
 * The endpoint URI is fixed per source and the signed query travels in a header, so signatures do not
 * create a new endpoint per call.
 */
public class ProviderCalls {
    public static final String ENDPOINT = "migwatchEndpoint";
    public static final String RETRY = "migwatchRetry";
    public static final String RETRY_DELAY = "migwatchRetryDelay";
    private static final String STARTED = "migwatchCallStarted";
    private static final String REQUEST = "migwatchRequest";
    private static final String ATTEMPT = "migwatchAttempt";

    private final PollCycles cycles;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public ProviderCalls(PollCycles cycles, RetryPolicy retryPolicy, Clock clock) {
        this.cycles = cycles;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    /** Before the first attempt: the request is kept aside, because each attempt rebuilds the HTTP message. */
    public void begin(Exchange exchange) {
        PollCycle cycle = exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
        exchange.setProperty(REQUEST, exchange.getMessage().getBody(ApiRequest.class));
        exchange.setProperty(ATTEMPT, 0);
        // once one of the cycle's calls has failed for good the cycle has failed: spare the provider the rest
        exchange.setProperty(RETRY, !cycles.hasFailed(cycle));
        exchange.setProperty(RETRY_DELAY, 0L);
    }

    public void prepare(Exchange exchange) {
        ApiRequest request = exchange.getProperty(REQUEST, ApiRequest.class);
        PollCycle cycle = exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
        if (exchange.getProperty(ATTEMPT, 0, Integer.class) > 0) {
            // another attempt is another request: new timestamp, new nonce, new signature
            request = cycles.resign(cycle, request.api());
            exchange.setProperty(REQUEST, request);
        }
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        // as camel-http's own enum: given as text, every call looked up a String-to-enum type converter (7 % of a
        // cycle's CPU in the engine profile)
        m.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(request.method()));
        m.setHeader(Exchange.HTTP_QUERY, request.queryString());
        request.headers().forEach(m::setHeader);
        m.setBody(request.body() == null ? null : request.body().getBytes(StandardCharsets.UTF_8));
        exchange.setProperty(ATTEMPT, exchange.getProperty(ATTEMPT, 0, Integer.class) + 1);
        // the Endpoint itself, so that toD neither builds nor normalizes its URI at every call (3 % of a cycle's CPU)
        exchange.setProperty(ENDPOINT, endpoints.computeIfAbsent(cycle.source().name(),
                name -> exchange.getContext().getEndpoint(endpointUri(cycle.source()))));
        exchange.setProperty(RETRY, false);
        exchange.setProperty(RETRY_DELAY, 0L);
        exchange.setProperty(STARTED, clock.instant());
    }


    /** The camel-http endpoint of a source: its timeouts, no hidden retries, and errors returned to us rather than thrown. */
    static String endpointUri(SourceConfig s) {
        String base = s.endpoint().toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return base + "/?throwExceptionOnFailure=false"
                + "&connectTimeout=" + s.connectTimeout().toMillis()
                + "&connectionRequestTimeout=" + s.connectTimeout().toMillis()
                + "&responseTimeout=" + s.readTimeout().toMillis()
                + "&soTimeout=" + s.readTimeout().toMillis()
                + "&httpClient.retryStrategy=#" + NoHttpRetry.NAME
                // no provider API sets cookies, and record() reads the answer's own headers: spare each call the cookie
                // store's sweep and the copy of the request's headers
                + "&clearExpiredCookies=false&copyHeaders=false";
    }

    public void record(Exchange exchange) {
        Message m = exchange.getMessage();
        Integer status = m.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String retryAfter = retryAfterMillis(m.getHeader("x-acs-retry-after", String.class), m.getHeader("Retry-After", String.class),
                clock.instant());
        // the bytes as received: parsed, hashed and stored as they are, decoded only when someone reads the text
        add(exchange, status, m.getHeader(Exchange.CONTENT_TYPE, String.class), retryAfter, BodyText.received(m.getBody(byte[].class)), null);
    }

    /**
     * What the provider asked us to wait, in milliseconds, or null: Alibaba's x-acs-retry-after is in
     * milliseconds, HTTP's Retry-After in seconds or an HTTP date. The header decides the unit - guessing
     * it from the size of the number would turn "x-acs-retry-after: 300" into five minutes.
     */
    static String retryAfterMillis(String acsRetryAfter, String httpRetryAfter, Instant now) {
        if (acsRetryAfter != null && !acsRetryAfter.isBlank()) {
            try {
                return Long.toString(Math.max(0, Long.parseLong(acsRetryAfter.trim())));
            } catch (NumberFormatException e) {
                // fall back to Retry-After, if any
            }
        }
        if (httpRetryAfter == null || httpRetryAfter.isBlank()) {
            return null;
        }
        String v = httpRetryAfter.trim();
        try {
            return Long.toString(Math.max(0, Math.multiplyExact(Long.parseLong(v), 1000L)));
        } catch (NumberFormatException | ArithmeticException e) {
            try {
                Instant at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Long.toString(Math.max(0, Duration.between(now, at).toMillis()));
            } catch (java.time.format.DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /** No HTTP answer: connection refused, timeout, reset. The exception text never holds credentials. */
    public void recordFailure(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String failure = e == null ? "unknown failure" : e.getClass().getSimpleName() + ": " + e.getMessage();
        exchange.setException(null);
        add(exchange, null, null, null, null, failure);
    }

    private void add(Exchange exchange, Integer status, String contentType, String retryAfter, BodyText body, String failure) {
        ApiRequest request = exchange.getProperty(REQUEST, ApiRequest.class);
        Instant started = exchange.getProperty(STARTED, Instant.class);
        int attempt = exchange.getProperty(ATTEMPT, 1, Integer.class);
        PollCycle cycle = exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
        // masked first: from here on the answer is classified, logged, stored and served by the API
        ApiResponse response = new ApiResponse(request.api(), attempt, started, Duration.between(started, clock.instant()).toMillis(),
                status, contentType, retryAfter, new JsonBody(SecretMask.apply(body, cycle.source())), SecretMask.apply(failure, cycle.source()));
        cycle.add(response);
        ApiCall call = cycles.classify(cycle, response);
        boolean again = retryPolicy.retry(call.outcome(), call.httpStatus(), attempt);
        exchange.setProperty(RETRY, again);
        exchange.setProperty(RETRY_DELAY, again ? retryPolicy.delayMillis(attempt, retryAfter) : 0L);
    }
}
