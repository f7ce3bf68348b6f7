package dev.migwatch.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.alibaba.AlibabaSigning;

import java.util.Set;

/**
 * The hash that decides whether a response body is new. Fields that change on every request
 * (request ids, timing) are left out, otherwise every body would differ from the last one.
 */
public final class ContentHash {
    private static final Set<String> PER_REQUEST_FIELDS = Set.of("RequestId", "Cost", "request_uuid");

    private ContentHash() {
    }

    public static String of(String body) {
        if (body == null) {
            return AlibabaSigning.sha256Hex("");
        }
        try {
            JsonNode node = Json.parse(body);
            if (node instanceof ObjectNode o) {
                o.remove(PER_REQUEST_FIELDS);
                return AlibabaSigning.sha256Hex(o.toString());
            }
        } catch (Exception notJson) {
            // hash the text as it is
        }
        return AlibabaSigning.sha256Hex(body);
    }
}
