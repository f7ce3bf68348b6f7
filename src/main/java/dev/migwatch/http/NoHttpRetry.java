package dev.migwatch.http;

import org.apache.camel.spi.Registry;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.core5.util.TimeValue;

/**
 * The HTTP client retry strategy of every endpoint migwatch calls (providers and alert channels): none. Apache
 * HttpClient would otherwise re-send a request by itself after a 503 or 429 (and after some I/O errors), unseen by the
 * poll log, without the backoff and throttling rules, and with an already used signature nonce. Every retry is
 * migwatch's own, logged and backed off.
 */
public final class NoHttpRetry {
    /** Its registry name, for an endpoint's {@code httpClient.retryStrategy=#...}. */
    public static final String NAME = "migwatchNoHttpRetry";

    private NoHttpRetry() {
    }

    /** Binds it; before any endpoint that names it is made. */
    public static void bind(Registry registry) {
        registry.bind(NAME, new DefaultHttpRequestRetryStrategy(0, TimeValue.ZERO_MILLISECONDS));
    }
}
