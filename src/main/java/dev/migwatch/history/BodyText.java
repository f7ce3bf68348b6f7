package dev.migwatch.history;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A response body as it travels from the HTTP answer to the raw-answer store: its UTF-8 bytes, and its text only when
 * someone reads it. The engine profile showed a cycle decoding every answer into a String (UTF-16, as OMS and DTS
 * answers carry Chinese step names), the JSON parser copying that into a char array, and the raw store encoding it back
 * into bytes: a third of the bytes a cycle allocated. The JSON parser and the raw store now read the bytes as received;
 * the text is decoded for error messages, listings of raw answers and tests.
 *
 * <p>Bodies are UTF-8 (every provider says so). One that is not is kept as its bytes in base64 behind {@link #NOT_UTF8},
 * as text and as the bytes stored, so the raw-answer table still holds exactly what was received. Whether received bytes
 * are UTF-8 is checked by {@link #wellFormed}, the same rules as the JDK's decoder (which the tests compare it with)
 * without decoding.
 */
public final class BodyText {
    /** How a body that is not UTF-8 text travels: its bytes, base64-encoded, behind this marker. */
    public static final String NOT_UTF8 = "base64:";

    /** The bytes as received when they are UTF-8; null for a body known as text (or kept as base64). */
    private final byte[] received;
    private volatile String text;
    private volatile byte[] encoded;

    private BodyText(byte[] received, String text) {
        this.received = received;
        this.text = text;
    }

    /** A body known as text (tests, list entries, bodies read back from the database). */
    public static BodyText of(String text) {
        return text == null ? null : new BodyText(null, text);
    }

    /**
     * A body as received over HTTP; the array is kept, not copied: the caller must not change it. It is checked here, once:
     * every answer is parsed and stored as UTF-8 anyway, and one that is not becomes its base64 text.
     */
    public static BodyText received(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        return wellFormed(bytes) ? new BodyText(bytes, null) : of(NOT_UTF8 + Base64.getEncoder().encodeToString(bytes));
    }

    /** The text, decoded from the received bytes on the first call. */
    public String text() {
        String t = text;
        if (t == null) {
            t = new String(received, StandardCharsets.UTF_8);
            text = t;
        }
        return t;
    }

    /** The bytes of {@link #text()} in UTF-8: the received array itself when there is one. Do not modify it. */
    public byte[] utf8() {
        if (received != null) {
            return received;
        }
        byte[] u = encoded;
        if (u == null) {
            u = text.getBytes(StandardCharsets.UTF_8);
            encoded = u;
        }
        return u;
    }

    /** True when there is nothing but whitespace, as {@link String#isBlank()} of the text. */
    public boolean isBlank() {
        if (received == null) {
            return text.isBlank();
        }
        for (byte b : received) {
            // a multi-byte character is never blank in JSON's sense; the decoder's Unicode spaces are rare enough to decode
            if (b < 0) {
                return text().isBlank();
            }
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the bytes are well-formed UTF-8 (Unicode 15, table 3-7): no stray continuation byte, no truncated sequence,
     * no overlong form, no surrogate, nothing above U+10FFFF. This is what the JDK's decoder refuses with
     * {@code CodingErrorAction.REPORT}.
     */
    static boolean wellFormed(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                more = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                more = 2;
                lo = c == 0xe0 ? 0xa0 : 0x80;
                hi = c == 0xed ? 0x9f : 0xbf;
            } else if (c >= 0xf0 && c <= 0xf4) {
                more = 3;
                lo = c == 0xf0 ? 0x90 : 0x80;
                hi = c == 0xf4 ? 0x8f : 0xbf;
            } else {
                return false;
            }
            if (i + more >= n) {
                return false;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= more; k++) {
                int next = b[i + k] & 0xff;
                if (next < 0x80 || next > 0xbf) {
                    return false;
                }
            }
            i += more + 1;
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BodyText other && Arrays.equals(utf8(), other.utf8());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(utf8());
    }

    @Override
    public String toString() {
        return "BodyText[" + utf8().length + " bytes]";
    }
}
