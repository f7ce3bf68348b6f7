package dev.migwatch.storage;

import dev.migwatch.history.RawBody;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.zip.Deflater;

/**
 * RawBodyCodec.encode and TokenPatch.diff as they were before the encoder worked on UTF-8 bytes (commit 7c9e6d9),
 * frozen: the oracle that the faster encoder writes the very same records, and the "before" of
 * RawBodyEncodeBenchmarkTest. Not used by migwatch.
 */
final class RawBodyEncoderBefore {
    private static final int LITERAL = 0;
    private static final int INTEGER = 1;
    private static final int UUID_UPPER = 2;
    private static final int UUID_LOWER = 3;
    private static final int DATE_TIME = 4;

    private RawBodyEncoderBefore() {
    }

    static byte[] encode(List<RawBody> bodies, RawBodyCodec.Keyframe base) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(out);
            d.writeByte(2);
            varint(d, bodies.size());
            List<String> keyApis = base == null ? List.of() : new ArrayList<>(base.bodies().keySet());
            for (RawBody b : bodies) {
                byte[] text = b.body() == null ? new byte[0] : b.body().getBytes(StandardCharsets.UTF_8);
                byte[] dictionary = base == null || !base.bodies().containsKey(b.api()) ? null : base.bodies().get(b.api()).utf8();
                byte[] packed = dictionary == null || b.body() == null ? null
                        : diff(new String(dictionary, StandardCharsets.UTF_8), b.body());
                // a patch of many changes (a body that drifted far) may lose to deflate, which finds repeats within it
                if (packed != null && packed.length > 256) {
                    byte[] deflated = deflate(text, dictionary);
                    packed = deflated.length < packed.length ? null : packed;
                }
                int mode = packed == null ? 0 : 1;
                if (packed == null) {
                    packed = deflate(text, dictionary);
                }
                String type = b.contentType() == null ? "" : b.contentType();
                int k = keyApis.indexOf(b.api());
                if (k >= 0 && base.types().get(k).equals(type)) {
                    varint(d, k + 1);
                } else {
                    varint(d, 0);
                    d.writeUTF(b.api());
                    d.writeUTF(type);
                }
                d.writeBoolean(b.body() != null);
                d.writeByte(mode);
                varint(d, text.length);
                varint(d, packed.length);
                d.write(packed);
            }
            d.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The patch that turns base into text, or null when their token structure differs. */
    static byte[] diff(String base, String text) {
        int[] b = tokens(base);
        int[] t = tokens(text);
        if (b.length != t.length) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            int count = b.length - 1;
            varint(out, count);
            int previous = -1;
            for (int i = 0; i < count; i++) {
                int bl = b[i + 1] - b[i];
                int tl = t[i + 1] - t[i];
                if (bl == tl && base.regionMatches(b[i], text, t[i], tl)) {
                    continue;
                }
                String old = base.substring(b[i], b[i + 1]);
                String now = text.substring(t[i], t[i + 1]);
                writeChange(out, i - previous - 1, old, now);
                previous = i;
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Start offsets of the tokens, and the text's length last: a quoted string (to its closing quote, escapes
     * skipped; an unclosed one runs to the end), a number, or a run of anything else.
     */
    static int[] tokens(String s) {
        int n = s.length();
        int[] starts = new int[Math.max(16, n / 8)];
        int count = 0;
        int i = 0;
        while (i < n) {
            if (count + 1 >= starts.length) {
                starts = Arrays.copyOf(starts, starts.length * 2);
            }
            starts[count++] = i;
            char c = s.charAt(i);
            int j = i + 1;
            if (c == '"') {
                while (j < n && s.charAt(j) != '"') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, n);
            } else if (c == '-' || isDigit(c)) {
                while (j < n && (isDigit(s.charAt(j)) || ".eE+-".indexOf(s.charAt(j)) >= 0)) {
                    j++;
                }
            } else {
                while (j < n && s.charAt(j) != '"' && s.charAt(j) != '-' && !isDigit(s.charAt(j))) {
                    j++;
                }
            }
            i = j;
        }
        starts[count++] = n;
        return Arrays.copyOf(starts, count);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static void writeChange(DataOutputStream out, int gap, String old, String now) throws IOException {
        Long from = integer(old);
        Long to = integer(now);
        if (from != null && to != null) {
            varint(out, gap << 3 | INTEGER);
            varlong(out, zigzag(to - from));
            return;
        }
        UUID id = uuid(now);
        if (id != null) {
            boolean upper = now.equals(quotedUuid(id, true));
            varint(out, gap << 3 | (upper ? UUID_UPPER : UUID_LOWER));
            out.writeLong(id.getMostSignificantBits());
            out.writeLong(id.getLeastSignificantBits());
            return;
        }
        LocalDateTime then = dateTime(old);
        LocalDateTime at = dateTime(now);
        if (then != null && at != null && old.charAt(11) == now.charAt(11)) {
            long seconds = java.time.Duration.between(then, at).getSeconds();
            if (formatDateTime(then.plusSeconds(seconds), old.charAt(11)).equals(now)) {
                varint(out, gap << 3 | DATE_TIME);
                varlong(out, zigzag(seconds));
                return;
            }
        }
        byte[] utf8 = now.getBytes(StandardCharsets.UTF_8);
        varint(out, gap << 3 | LITERAL);
        varint(out, utf8.length);
        out.write(utf8);
    }

    /** A canonical JSON integer that fits with room to spare (so that differences cannot overflow). */
    private static Long integer(String token) {
        int n = token.length();
        int start = n > 0 && token.charAt(0) == '-' ? 1 : 0;
        if (n - start < 1 || n - start > 18 || (token.charAt(start) == '0' && n - start > 1) || (start == 1 && n == 2 && token.charAt(1) == '0')) {
            return null;
        }
        for (int i = start; i < n; i++) {
            if (!isDigit(token.charAt(i))) {
                return null;
            }
        }
        return Long.parseLong(token);
    }

    private static UUID uuid(String token) {
        if (token.length() != 38 || token.charAt(0) != '"' || token.charAt(37) != '"') {
            return null;
        }
        String inner = token.substring(1, 37);
        for (int i = 0; i < 36; i++) {
            char c = inner.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash != (c == '-') || (!dash && Character.digit(c, 16) < 0)) {
                return null;
            }
        }
        UUID id = UUID.fromString(inner);
        // mixed case cannot be rebuilt: a literal then
        return token.equals(quotedUuid(id, true)) || token.equals(quotedUuid(id, false)) ? id : null;
    }

    private static String quotedUuid(UUID id, boolean upper) {
        String s = id.toString();
        return '"' + (upper ? s.toUpperCase(java.util.Locale.ROOT) : s) + '"';
    }

    /** "yyyy-MM-ddTHH:mm:ss" or with a space: the providers' checkpoint and modification times. */
    private static LocalDateTime dateTime(String token) {
        if (token.length() != 21 || token.charAt(0) != '"' || token.charAt(20) != '"') {
            return null;
        }
        char sep = token.charAt(11);
        if (sep != 'T' && sep != ' ') {
            return null;
        }
        try {
            return LocalDateTime.parse(token.substring(1, 11) + 'T' + token.substring(12, 20));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String formatDateTime(LocalDateTime t, char sep) {
        return String.format("\"%04d-%02d-%02d%c%02d:%02d:%02d\"", t.getYear(), t.getMonthValue(), t.getDayOfMonth(), sep,
                t.getHour(), t.getMinute(), t.getSecond());
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static void varlong(DataOutputStream d, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            d.writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d.writeByte((int) v);
    }

    private static void varint(DataOutputStream d, int v) throws IOException {
        while ((v & ~0x7F) != 0) {
            d.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d.writeByte(v);
    }

    private static byte[] deflate(byte[] text, byte[] dictionary) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            if (dictionary != null && dictionary.length > 0) {
                deflater.setDictionary(dictionary);
            }
            deflater.setInput(text);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, text.length / 4));
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }
}
