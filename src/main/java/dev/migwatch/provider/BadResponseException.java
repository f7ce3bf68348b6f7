package dev.migwatch.provider;

/** A response that arrived but cannot be understood (not JSON, truncated, missing the data it must have). */
public class BadResponseException extends Exception {
    private final String api;

    public BadResponseException(String api, String message) {
        super(message);
        this.api = api;
    }

    public String api() {
        return api;
    }
}
