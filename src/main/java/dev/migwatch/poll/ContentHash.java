package dev.migwatch.poll;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.Json;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The hash that decides whether a response body is new. Fields that change on every request
 * (request ids, timing) are left out, otherwise every body would differ from the last one.
 * A JSON object is hashed from its tree, the one the cycle parsed already (no second parse, no re-serialization);
 * any other body from its text.
 */
public final class ContentHash {
    private static final Set<String> PER_REQUEST_FIELDS = Set.of("RequestId", "Cost", "request_uuid");

    private ContentHash() {
    }

    public static String of(ApiResponse response) {
        return of(response.json(), response.body());
    }

    public static String of(String body) {
        JsonNode node = null;
        if (body != null && !body.isBlank()) {
            try {
                node = Json.parse(body);
            } catch (Exception notJson) {
                // hashed as text below
            }
        }
        return of(node, body);
    }

    private static String of(JsonNode node, String body) {
        MessageDigest digest = sha256();
        if (node != null && node.isObject()) {
            update(digest, node, true);
        } else {
            digest.update((body == null ? "" : body).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Every value with its type and length in front, so that no two different trees feed the same bytes. */
    private static void update(MessageDigest d, JsonNode node, boolean top) {
        if (node.isObject()) {
            d.update((byte) '{');
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (top && PER_REQUEST_FIELDS.contains(field.getKey())) {
                    continue;
                }
                text(d, (byte) 'k', field.getKey());
                update(d, field.getValue(), false);
            }
            d.update((byte) '}');
        } else if (node.isArray()) {
            d.update((byte) '[');
            for (JsonNode element : node) {
                update(d, element, false);
            }
            d.update((byte) ']');
        } else {
            text(d, (byte) node.getNodeType().ordinal(), node.asText());
        }
    }

    private static void text(MessageDigest d, byte type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        d.update(type);
        d.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        d.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
