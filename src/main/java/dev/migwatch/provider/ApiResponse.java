package dev.migwatch.provider;

import java.time.Instant;

/**
 * What came back for one {@link ApiRequest}: an HTTP answer, or the failure that prevented one.
 *
 * @param httpStatus  null when no HTTP answer came
 * @param retryAfter  how long the provider asked to wait, in milliseconds (from x-acs-retry-after, in ms, or
 *                    Retry-After, in seconds or an HTTP date), null when it did not say
 * @param failure     the exception class and masked message when no answer came, otherwise null
 * @param parsed      the body's JSON tree, parsed at most once for all its readers ({@link #json()})
 */
public record ApiResponse(
        String api,
        int attempt,
        Instant calledAt,
        long durationMs,
        Integer httpStatus,
        String contentType,
        String retryAfter,
        String body,
        String failure,
        JsonBody parsed) {

    public ApiResponse(String api, int attempt, Instant calledAt, long durationMs, Integer httpStatus, String contentType,
                       String retryAfter, String body, String failure) {
        this(api, attempt, calledAt, durationMs, httpStatus, contentType, retryAfter, body, failure, new JsonBody(body));
    }

    /** The body as JSON, parsed once; null when it is empty or not JSON. Read it, never modify it. */
    public com.fasterxml.jackson.databind.JsonNode json() {
        return parsed.tree();
    }

    /** How a body that is not UTF-8 text travels: its bytes, base64-encoded, behind this marker. */
    public static final String NOT_UTF8 = "base64:";

    /** The poll-log row of a call that got no HTTP answer: TIMEOUT or NETWORK, with the exception as code. */
    public dev.migwatch.history.ApiCall noAnswer() {
        String text = failure == null ? "no response" : failure;
        String outcome = text.toLowerCase(java.util.Locale.ROOT).contains("timeout") ? "TIMEOUT" : "NETWORK";
        return new dev.migwatch.history.ApiCall(api, attempt, calledAt, durationMs, null, null, outcome, text.split(":", 2)[0], text);
    }

    /** The start of the body for an error message: whitespace folded, at most 200 characters. */
    public String bodySnippet() {
        if (body == null || body.isBlank()) {
            return "empty body";
        }
        if (body.startsWith(NOT_UTF8)) {
            return "body is not UTF-8 text (its bytes are kept in raw_body)";
        }
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
