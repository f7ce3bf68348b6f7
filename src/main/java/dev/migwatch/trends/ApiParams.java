package dev.migwatch.trends;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validation of request parameters; every failure is a 400 naming the parameter and what is expected. */
public final class ApiParams {

    private static final Pattern DIGITS = Pattern.compile("-?\\d{1,15}");
    private static final Pattern OUTCOME = Pattern.compile("[A-Z_]{1,20}");
    static final int MAX_TEXT = 200;

    private ApiParams() {
    }

    /**
     * A query parameter, read from the query string itself: platform-http also turns every HTTP request
     * header into a message header, and a header named "limit" (or "From") must not pass for ?limit= (?from=).
     */
    public static String query(org.apache.camel.Exchange ex, String name) {
        String q = ex.getIn().getHeader(org.apache.camel.Exchange.HTTP_QUERY, String.class);
        if (q == null || q.isEmpty()) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    public static String required(String name, Object value) {
        String v = optional(name, value);
        if (v == null) {
            throw ApiProblem.badRequest(name + " is required");
        }
        return v;
    }

    public static String optional(String name, Object value) {
        if (value == null) {
            return null;
        }
        String v = value.toString().trim();
        if (v.isEmpty()) {
            return null;
        }
        if (v.length() > MAX_TEXT) {
            throw ApiProblem.badRequest(name + " is longer than " + MAX_TEXT + " characters");
        }
        return v;
    }

    /** An ISO-8601 instant (2026-05-01T10:00:00Z, offsets allowed) or epoch milliseconds. */
    public static Instant instant(String name, Object value) {
        String v = optional(name, value);
        if (v == null) {
            return null;
        }
        if (DIGITS.matcher(v).matches()) {
            return Instant.ofEpochMilli(Long.parseLong(v));
        }
        try {
            return java.time.OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(name + " must be an ISO-8601 time such as 2026-05-01T10:00:00Z"
                    + " or epoch milliseconds, not '" + v + "'");
        }
    }

    public static void range(Instant from, Instant to) {
        if (from != null && to != null && from.isAfter(to)) {
            throw ApiProblem.badRequest("from must not be after to");
        }
    }

    public static int integer(String name, Object value, int dflt, int min, int max) {
        String v = optional(name, value);
        if (v == null) {
            return dflt;
        }
        if (!DIGITS.matcher(v).matches()) {
            throw ApiProblem.badRequest(name + " must be a whole number between " + min + " and " + max);
        }
        long n = Long.parseLong(v);
        if (n < min || n > max) {
            throw ApiProblem.badRequest(name + " must be between " + min + " and " + max + ", not " + n);
        }
        return (int) n;
    }

    static Metric metric(Object value) {
        String v = required("metric", value);
        return Metric.parse(v).orElseThrow(() -> ApiProblem.badRequest(
                "metric must be one of progress, processed, rps, delay, tps, not '" + v + "'"));
    }

    static String outcome(Object value) {
        String v = optional("outcome", value);
        if (v == null) {
            return null;
        }
        String up = v.toUpperCase(Locale.ROOT);
        if (!OUTCOME.matcher(up).matches()) {
            throw ApiProblem.badRequest("outcome must be a word such as OK, ERROR, THROTTLED, AUTH, TIMEOUT,"
                    + " NETWORK, BAD_RESPONSE, NOT_FOUND");
        }
        return up;
    }
}
