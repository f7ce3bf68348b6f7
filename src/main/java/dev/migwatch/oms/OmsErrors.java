package dev.migwatch.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.provider.Json;

import java.util.List;
import java.util.Locale;

/** Turns OMS ErrorDetail objects (response, step and component level; all the same shape) into error events. */
final class OmsErrors {
    static final String RESPONSE = "RESPONSE";
    static final String STEP = "STEP";
    static final String COMPONENT = "COMPONENT";

    private OmsErrors() {
    }

    /** Adds one event per usable entry of an ErrorDetails array; a lone object is accepted too, anything else ignored. */
    static void collect(String origin, String originName, JsonNode details, List<ErrorEvent> out) {
        if (details == null) {
            return;
        }
        if (details.isObject()) {
            add(origin, originName, details, out);
        } else if (details.isArray()) {
            details.forEach(d -> add(origin, originName, d, out));
        }
    }

    /**
     * A response-level error, recorded only when the response says Success=false: the real API sends an
     * ErrorDetail object (with a plausible-looking code) on successful responses too. When ErrorDetail is
     * missing or empty, the deprecated top-level Code/Message/Advice are used instead.
     */
    static void collectResponse(String api, JsonNode body, List<ErrorEvent> out) {
        if (!Boolean.FALSE.equals(Json.bool(body, "Success"))) {
            return;
        }
        int before = out.size();
        collect(RESPONSE, api, body.get("ErrorDetail"), out);
        if (out.size() == before) {
            ObjectNode legacy = Json.MAPPER.createObjectNode();
            for (String field : List.of("Code", "Message", "Advice")) {
                JsonNode v = body.get(field);
                if (v != null) {
                    legacy.set(field, v);
                }
            }
            String code = Json.text(body, "Code");
            String message = Json.text(body, "Message");
            if (code != null || message != null) {
                out.add(new ErrorEvent(RESPONSE, api, code, null, message, null, Json.text(body, "Advice"), Json.json(legacy)));
            }
        }
    }

    private static void add(String origin, String originName, JsonNode d, List<ErrorEvent> out) {
        if (d == null || !d.isObject()) {
            return;
        }
        String code = Json.text(d, "Code");
        String message = Json.text(d, "Message");
        if (code == null && message == null) {
            return; // placeholder entries ("Code": null, ...) say nothing worth a row
        }
        String level = Json.text(d, "Level");
        out.add(new ErrorEvent(origin, originName, code, level == null ? null : level.toUpperCase(Locale.ROOT), message,
                Json.text(d, "Reason"), Json.text(d, "Proposal"), Json.json(d)));
    }
}
