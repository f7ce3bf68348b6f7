package dev.migwatch.provider;

import java.util.Map;

/**
 * A signed HTTP request ready to send to a provider.
 *
 * @param api         the provider's action name (DescribeProject, ListJobStep, ...), for the poll log
 * @param method      GET or POST
 * @param queryString the encoded query string without '?', may be empty
 * @param headers     the HTTP headers to send, signature headers included
 * @param body        the request body, may be null
 */
public record ApiRequest(String api, String method, String queryString, Map<String, String> headers, String body) {
    public ApiRequest {
        headers = Map.copyOf(headers);
    }
}
