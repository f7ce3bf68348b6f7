package dev.migwatch.history;

/**
 * A response body as received. Stored only when its content differs from the last stored body of the
 * same task and API; contentHash leaves out fields that change on every request (RequestId, Cost).
 *
 * @param content the body's bytes as received (its text decoded only when read), null for an answer without a body
 */
public record RawBody(String api, String contentHash, String contentType, BodyText content) {

    public RawBody(String api, String contentHash, String contentType, String body) {
        this(api, contentHash, contentType, BodyText.of(body));
    }

    /** The body as text, null when there was none. */
    public String body() {
        return content == null ? null : content.text();
    }
}
