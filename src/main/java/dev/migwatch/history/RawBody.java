package dev.migwatch.history;

/**
 * A response body as received. Stored only when its content differs from the last stored body of the
 * same task and API; contentHash leaves out fields that change on every request (RequestId, Cost).
 */
public record RawBody(String api, String contentHash, String contentType, String body) {
}
