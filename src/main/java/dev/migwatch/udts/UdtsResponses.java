package dev.migwatch.udts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.ApiCall;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.Json;

/**
 * Classifies UCloud API answers. UCloud reports errors as HTTP 200 with {@code {"RetCode": n, "Message": "..."}},
 * so the HTTP status alone says little; RetCode decides. The retry classes follow the official Go SDK, which
 * retries HTTP 429/502/503/504 and RetCode >= 2000.
 */
final class UdtsResponses {
    /** "Signature VerifyAC Error": wrong private key or a tampered request. */
    static final int SIGNATURE_ERROR = 171;
    /** "User Not Exists": wrong public key. */
    static final int USER_NOT_EXISTS = 172;
    /** From here on the Go SDK treats a RetCode as temporary and retries it. */
    static final int FIRST_RETRYABLE = 2000;

    private UdtsResponses() {
    }

    static ApiCall classify(ApiResponse r) {
        if (r.httpStatus() == null) {
            // no HTTP answer: the TIMEOUT/NETWORK split does not depend on the provider
            return r.noAnswer();
        }
        int status = r.httpStatus();
        JsonNode body = r.json();
        if (body != null && !body.isObject()) {
            body = null;
        }
        String requestId = body == null ? null : requestId(body);
        String message = body == null ? null : Json.text(body, "Message");
        if (status == 429) {
            return call(r, requestId, "THROTTLED", "HTTP 429", message != null ? message : r.bodySnippet());
        }
        if (status >= 400) {
            return call(r, requestId, "ERROR", "HTTP " + status, message != null ? message : r.bodySnippet());
        }
        if (body == null) {
            return call(r, null, "BAD_RESPONSE", "HTTP " + status,
                    "response is not a JSON object (content type " + r.contentType() + "): " + r.bodySnippet());
        }
        Long retCode = Json.longValue(body, "RetCode");
        if (retCode == null) {
            return call(r, requestId, "BAD_RESPONSE", "no RetCode", "response has no numeric RetCode: " + r.bodySnippet());
        }
        if (retCode == 0) {
            return call(r, requestId, "OK", null, null);
        }
        return call(r, requestId, outcomeOf(retCode), Long.toString(retCode), message);
    }

    static String outcomeOf(long retCode) {
        if (retCode == SIGNATURE_ERROR || retCode == USER_NOT_EXISTS) {
            return "AUTH";
        }
        if (retCode >= FIRST_RETRYABLE) {
            return "THROTTLED";
        }
        return "ERROR";
    }

    /** UCloud sends no request id as a rule; some gateways add one under either name. */
    private static String requestId(JsonNode body) {
        String id = Json.text(body, "RequestId");
        return id != null ? id : Json.text(body, "request_uuid");
    }

    private static ApiCall call(ApiResponse r, String requestId, String outcome, String code, String message) {
        return new ApiCall(r.api(), r.attempt(), r.calledAt(), r.durationMs(), r.httpStatus(), requestId, outcome, code, message);
    }

}
