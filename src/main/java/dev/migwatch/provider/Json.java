package dev.migwatch.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Lenient readers for the providers' JSON quirks: numbers sent as strings and strings as numbers,
 * the string "null" meaning null, codes with surrounding whitespace and trailing newlines, times with
 * or without a zone. Every reader returns null rather than failing on a value it cannot use.
 */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final java.util.regex.Pattern EPOCH_DIGITS = java.util.regex.Pattern.compile("\\d{9,13}");

    private Json() {
    }

    public static JsonNode parse(String body) throws com.fasterxml.jackson.core.JsonProcessingException {
        return MAPPER.readTree(body);
    }

    /**
     * UTF-8 bytes, read as they are: no String decoded first, and Jackson's byte parser is its faster one. Jackson guesses
     * the encoding of bytes (UTF-16 or UTF-32 from zero bytes among the first four, a UTF-8 byte-order mark skipped);
     * provider answers are UTF-8, so such a body is parsed as its text, and passes or fails exactly as it did when every
     * answer was decoded first.
     */
    public static JsonNode parse(byte[] utf8) throws com.fasterxml.jackson.core.JsonProcessingException {
        if (encodingGuessed(utf8)) {
            return parse(new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            return MAPPER.readTree(utf8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw e;
        } catch (java.io.IOException e) {
            // not JSON in a way Jackson's byte reader reports outside its parse errors: the text parser says what is wrong
            return parse(new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static boolean encodingGuessed(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
            return true;
        }
        for (int i = 0; i < Math.min(4, b.length); i++) {
            if (b[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A response body that must be a JSON object, as every provider's answer is.
     *
     * @throws BadResponseException naming the API when the body is empty, not JSON, or not an object
     */
    public static JsonNode object(String api, String body) throws BadResponseException {
        if (body == null || body.isBlank()) {
            throw new BadResponseException(api, api + " response body is empty");
        }
        JsonNode node;
        try {
            node = parse(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadResponseException(api, api + " response is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadResponseException(api, api + " response is not a JSON object");
        }
        return node;
    }

    /** {@link #object(String, String)} for a response whose body is parsed already (or is, once, now). */
    public static JsonNode object(ApiResponse response) throws BadResponseException {
        String api = response.api();
        JsonNode node = response.json();
        if (node == null) {
            String problem = response.parsed().problem();
            throw new BadResponseException(api, "empty".equals(problem) ? api + " response body is empty"
                    : api + " response is not JSON: " + problem);
        }
        if (!node.isObject()) {
            throw new BadResponseException(api, api + " response is not a JSON object");
        }
        return node;
    }

    /** Text, trimmed; null for missing, JSON null, blank or the string "null". Numbers and booleans as text. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText().trim();
        return s.isEmpty() || "null".equalsIgnoreCase(s) ? null : s;
    }

    public static Long longValue(JsonNode node, String field) {
        BigDecimal d = decimal(node, field);
        if (d == null) {
            return null;
        }
        try {
            return d.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            return null; // beyond a long: not a count anyone reports; the raw body keeps it
        }
    }

    public static Integer intValue(JsonNode node, String field) {
        Long l = longValue(node, field);
        return l == null || l > Integer.MAX_VALUE || l < Integer.MIN_VALUE ? null : l.intValue();
    }

    public static Double doubleValue(JsonNode node, String field) {
        BigDecimal d = decimal(node, field);
        if (d == null) {
            return null;
        }
        double v = d.doubleValue();
        return Double.isFinite(v) ? v : null;
    }

    public static Boolean bool(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String s = v.asText().trim();
        return "true".equalsIgnoreCase(s) ? Boolean.TRUE : "false".equalsIgnoreCase(s) ? Boolean.FALSE : null;
    }

    private static BigDecimal decimal(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * A time: ISO text with a zone ("2024-09-20T02:13:12Z"), ISO text without one (read as UTC, as the OMS docs
     * say their times are), or a Unix timestamp in seconds (or milliseconds when it is too large for seconds).
     */
    public static Instant instant(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber() || v.isTextual() && EPOCH_DIGITS.matcher(v.asText().trim()).matches()) {
            long n = v.isNumber() ? v.asLong() : Long.parseLong(v.asText().trim());
            if (n <= 0) {
                return null;
            }
            return n > 100_000_000_000L ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
        }
        String s = text(node, field);
        if (s == null) {
            return null;
        }
        // the parser that fits goes first: OMS gives its times without a zone, and a failed parse throws (an exception's
        // stack trace at every time field was 2.7 % of a cycle's CPU)
        boolean zoned = s.length() > 10 && (Character.toUpperCase(s.charAt(s.length() - 1)) == 'Z'
                || s.indexOf('+', 10) >= 0 || s.indexOf('-', 10) >= 0);
        Instant first = zoned ? zoned(s) : local(s);
        return first != null ? first : zoned ? local(s) : zoned(s);
    }

    private static Instant zoned(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant local(String s) {
        try {
            return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The node as compact JSON text, or null when it is missing or JSON null. */
    public static String json(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.toString();
    }
}
