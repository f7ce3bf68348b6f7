package dev.migwatch.provider;

import dev.migwatch.history.BodyText;

import java.time.Instant;

/**
 * What came back for one {@link ApiRequest}: an HTTP answer, or the failure that prevented one.
 *
 * @param httpStatus  null when no HTTP answer came
 * @param retryAfter  how long the provider asked to wait, in milliseconds (from x-acs-retry-after, in ms, or
 *                    Retry-After, in seconds or an HTTP date), null when it did not say
 * @param parsed      the body (its bytes as received) and its JSON tree, parsed at most once for all its readers
 *                    ({@link #json()}); its body is null when no answer came
 * @param failure     the exception class and masked message when no answer came, otherwise null
 */
public record ApiResponse(
        String api,
        int attempt,
        Instant calledAt,
        long durationMs,
        Integer httpStatus,
        String contentType,
        String retryAfter,
        JsonBody parsed,
        String failure) {

    public ApiResponse {
        parsed = parsed == null ? new JsonBody((BodyText) null) : parsed;
    }

    /** An answer whose body is known as text (tests, and the list entries of discovery). */
    public ApiResponse(String api, int attempt, Instant calledAt, long durationMs, Integer httpStatus, String contentType,
                       String retryAfter, String body, String failure) {
        this(api, attempt, calledAt, durationMs, httpStatus, contentType, retryAfter, new JsonBody(body), failure);
    }

    /** The body as text, decoded from its bytes on the first call; null when no answer came. */
    public String body() {
        return parsed.text();
    }

    /** The body as received, null when no answer came. */
    public BodyText bodyText() {
        return parsed.body();
    }

    /** The body as JSON, parsed once; null when it is empty or not JSON. Read it, never modify it. */
    public com.fasterxml.jackson.databind.JsonNode json() {
        return parsed.tree();
    }

    /** The poll-log row of a call that got no HTTP answer: TIMEOUT or NETWORK, with the exception as code. */
    public dev.migwatch.history.ApiCall noAnswer() {
        String text = failure == null ? "no response" : failure;
        String outcome = text.toLowerCase(java.util.Locale.ROOT).contains("timeout") ? "TIMEOUT" : "NETWORK";
        return new dev.migwatch.history.ApiCall(api, attempt, calledAt, durationMs, null, null, outcome, text.split(":", 2)[0], text);
    }

    /** The start of the body for an error message: whitespace folded, at most 200 characters. */
    public String bodySnippet() {
        String body = body();
        if (body == null || body.isBlank()) {
            return "empty body";
        }
        if (body.startsWith(BodyText.NOT_UTF8)) {
            return "body is not UTF-8 text (its bytes are kept in raw_body)";
        }
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
