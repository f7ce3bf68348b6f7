package dev.migwatch.poll;

import dev.migwatch.provider.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * The hash that decides whether a response body is new. Fields that change on every request
 * (request ids, timing) are left out, otherwise every body would differ from the last one.
 */
public final class ContentHash {
    private static final Set<String> PER_REQUEST_FIELDS = Set.of("RequestId", "Cost", "request_uuid");

    private ContentHash() {
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String of(String body) {
        if (body == null) {
            return sha256("");
        }
        try {
            JsonNode node = Json.parse(body);
            if (node instanceof ObjectNode o) {
                o.remove(PER_REQUEST_FIELDS);
                return sha256(o.toString());
            }
        } catch (Exception notJson) {
            // hash the text as it is
        }
        return sha256(body);
    }
}
