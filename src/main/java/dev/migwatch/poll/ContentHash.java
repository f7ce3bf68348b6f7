package dev.migwatch.poll;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.BodyText;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.Json;

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
        Crcs crcs = Crcs.start();
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
                d.text((byte) 'k', field.getKey());
                update(d, field.getValue(), false);
            }
            d.update((byte) '}');
        } else if (node.isArray()) {
            d.update((byte) '[');
            for (int i = 0, n = node.size(); i < n; i++) {
                update(d, node.get(i), false);
            }
            d.update((byte) ']');
        } else if (node.isInt() || node.isLong() || node.isShort()) {
            // the number itself rather than its text: Integer.toString was a String and a byte[] per counter
            d.update((byte) 'i');
            d.number(node.longValue());
        } else if (node.isDouble() || node.isFloat()) {
            d.update((byte) 'd');
            d.number(Double.doubleToLongBits(node.doubleValue()));
        } else {
            d.text((byte) node.getNodeType().ordinal(), node.isTextual() ? node.textValue() : node.asText());
        }
    }

    /**
     * CRC-32C and CRC-32 of the same bytes, gathered first: two calls over one array cost less than six per value. One
     * per polling thread, its arrays reused: gathering into new ones (and String.getBytes of every value) was a fifth of
     * what a poll cycle allocated.
     */
    private static final class Crcs {
        private static final int KEPT = 64 * 1024;
        private static final ThreadLocal<Crcs> PER_THREAD = ThreadLocal.withInitial(Crcs::new);

        private byte[] buf = new byte[4096];
        private char[] chars = new char[256];
        private int size;

        /**
         * The thread's Crcs, empty: the one place its state is reset, so that an answer whose hashing threw leaves nothing
         * behind either; arrays an earlier answer grew past KEPT are let go here.
         */
        static Crcs start() {
            Crcs c = PER_THREAD.get();
            c.size = 0;
            if (c.buf.length > KEPT) {
                c.buf = new byte[4096];
            }
            if (c.chars.length > KEPT) {
                c.chars = new char[256];
            }
            return c;
        }

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

        void number(long v) {
            room(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[size++] = (byte) (v >>> shift);
            }
        }

        /**
         * The type, the length in chars, then each char as one byte (ASCII), two or three (as UTF-8 encodes it; a surrogate
         * on its own, as Java's modified UTF-8 does): one sequence of bytes per text, without encoding it into an array first.
         */
        void text(byte type, String text) {
            int n = text.length();
            update(type);
            length(n);
            room(3 * n);
            if (chars.length < n) {
                chars = new char[Math.max(n, chars.length * 2)];
            }
            text.getChars(0, n, chars, 0);
            byte[] b = buf;
            int at = size;
            for (int i = 0; i < n; i++) {
                char ch = chars[i];
                if (ch < 0x80) {
                    b[at++] = (byte) ch;
                } else if (ch < 0x800) {
                    b[at++] = (byte) (0xC0 | ch >> 6);
                    b[at++] = (byte) (0x80 | ch & 0x3F);
                } else {
                    b[at++] = (byte) (0xE0 | ch >> 12);
                    b[at++] = (byte) (0x80 | ch >> 6 & 0x3F);
                    b[at++] = (byte) (0x80 | ch & 0x3F);
                }
            }
            size = at;
        }

        private void room(int n) {
            if (size + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        /** The hash of what was gathered since start. */
        String hex() {
            CRC32C c = new CRC32C();
            CRC32 d = new CRC32();
            c.update(buf, 0, size);
            d.update(buf, 0, size);
            return HexFormat.of().toHexDigits(c.getValue() << 32 | d.getValue());
        }
    }
}
