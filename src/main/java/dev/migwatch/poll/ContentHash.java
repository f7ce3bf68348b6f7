package dev.migwatch.poll;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.BodyText;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.Json;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The hash that decides whether a response body is new. Fields that change on every request
 * (request ids, timing) are left out, otherwise every body would differ from the last one.
 * A JSON object is hashed from its tree, the one the cycle parsed already (no second parse, no re-serialization);
 * any other body from its text.
 *
 * <p>The hash only compares a task's answer with its previous one, in memory (it is not stored), so it needs to tell
 * changed answers apart, not to resist an attacker: two CRCs of different polynomials (CRC-32C and CRC-32) give 64
 * bits, and the JVM computes both with CPU instructions even in the C1 compiler that {@code bin/migwatch} runs. It
 * replaced SHA-256, whose compression function (no C1 intrinsic) was 9 % of a cycle's CPU in the engine profile. Both
 * CRCs are linear: two answers collide only when their difference is divisible by both polynomials (about 2^-64),
 * and any difference within 32 consecutive bits is always seen.
 */
public final class ContentHash {
    private static final Set<String> PER_REQUEST_FIELDS = Set.of("RequestId", "Cost", "request_uuid");

    private ContentHash() {
    }

    public static String of(ApiResponse response) {
        return of(response.json(), response.bodyText());
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
        return of(node, BodyText.of(body));
    }

    /** A body whose tree is at hand already (a list entry): hashed from the tree when it is an object, else from the body. */
    public static String of(JsonNode node, BodyText body) {
        Crcs crcs = new Crcs();
        if (node != null && node.isObject()) {
            update(crcs, node, true);
        } else {
            crcs.update(body == null ? new byte[0] : body.utf8());
        }
        return crcs.hex();
    }

    /** Every value with its type and length in front, so that no two different trees feed the same bytes. */
    private static void update(Crcs d, JsonNode node, boolean top) {
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

    private static void text(Crcs d, byte type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        d.update(type);
        d.length(bytes.length);
        d.update(bytes);
    }

    /** CRC-32C and CRC-32 of the same bytes, gathered first: two calls over one array cost less than six per value. */
    private static final class Crcs {
        private byte[] buf = new byte[4096];
        private int size;

        void update(byte b) {
            room(1);
            buf[size++] = b;
        }

        void update(byte[] bytes) {
            room(bytes.length);
            System.arraycopy(bytes, 0, buf, size, bytes.length);
            size += bytes.length;
        }

        void length(int n) {
            room(4);
            buf[size++] = (byte) (n >>> 24);
            buf[size++] = (byte) (n >>> 16);
            buf[size++] = (byte) (n >>> 8);
            buf[size++] = (byte) n;
        }

        private void room(int n) {
            if (size + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        String hex() {
            CRC32C c = new CRC32C();
            CRC32 d = new CRC32();
            c.update(buf, 0, size);
            d.update(buf, 0, size);
            return HexFormat.of().toHexDigits(c.getValue() << 32 | d.getValue());
        }
    }
}
