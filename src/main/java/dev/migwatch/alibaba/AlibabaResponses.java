package dev.migwatch.alibaba;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.ApiCall;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.Json;

/**
 * Classifies Alibaba Cloud RPC answers (OMS and DTS share the gateway): errors come as HTTP 4xx/5xx with
 * {@code {"RequestId","HostId","Code","Message","Recommend"}}; a 200 may still say {@code "Success": false}.
 */
public final class AlibabaResponses {
    private AlibabaResponses() {
    }

    public static ApiCall classify(ApiResponse r) {
        if (r.httpStatus() == null) {
            return r.noAnswer();
        }
        JsonNode body = r.json();
        String requestId = body == null ? null : Json.text(body, "RequestId");
        int status = r.httpStatus();
        if (body == null || !body.isObject()) {
            String outcome = status == 429 ? "THROTTLED" : status >= 400 ? "ERROR" : "BAD_RESPONSE";
            return call(r, requestId, outcome, "HTTP " + status,
                    "response is not a JSON object (content type " + r.contentType() + "): " + r.bodySnippet());
        }
        String code = Json.text(body, "Code");
        String message = Json.text(body, "Message");
        if (status >= 400 || status == 429) {
            return call(r, requestId, outcomeOf(status, code), code == null ? "HTTP " + status : code, message);
        }
        if (Boolean.FALSE.equals(Json.bool(body, "Success"))) {
            JsonNode detail = body.get("ErrorDetail");
            String detailCode = Json.text(detail, "Code");
            String detailMessage = Json.text(detail, "Message");
            String c = detailCode != null ? detailCode : code;
            return call(r, requestId, outcomeOf(status, c), c == null ? "Success=false" : c,
                    detailMessage != null ? detailMessage : message);
        }
        return call(r, requestId, "OK", null, null);
    }

    /** Throttling, credentials and not-found are told apart because they are handled differently (back off, alert once, stop). */
    static String outcomeOf(int status, String code) {
        String c = code == null ? "" : code;
        if (status == 429 || c.startsWith("Throttling")) {
            return "THROTTLED";
        }
        if (c.startsWith("InvalidAccessKeyId") || c.startsWith("SignatureDoesNotMatch") || c.startsWith("InvalidSecurityToken")
                || c.startsWith("InvalidTimeStamp") || c.startsWith("Forbidden") || c.startsWith("IncompleteSignature")
                || c.equals("MissingSignature") || status == 401 || status == 403) {
            return "AUTH";
        }
        String lower = c.toLowerCase(java.util.Locale.ROOT).replace("_", "").replace(".", "");
        if (status == 404 || lower.contains("notfound") || lower.contains("notexist")) {
            return "NOT_FOUND";
        }
        return "ERROR";
    }

    private static ApiCall call(ApiResponse r, String requestId, String outcome, String code, String message) {
        return new ApiCall(r.api(), r.attempt(), r.calledAt(), r.durationMs(), r.httpStatus(), requestId, outcome, code, message);
    }

}
