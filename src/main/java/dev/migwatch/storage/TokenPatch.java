package dev.migwatch.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.UUID;

/**
 * A body as the tokens that differ from another body of the same API: the compact form of a raw delta.
 *
 * <p>Why not only deflate with the keyframe as dictionary: two answers of a running task differ in a few dozen
 * values (counters, RPS, checkpoint times, a request id), each a few bytes apart, and deflate pays three to four
 * bytes for every unchanged stretch it copies plus eight bits for every changed character: about 380 bytes a poll
 * for OMS's three answers. Here an unchanged token costs nothing, a counter costs its difference (a varint), a
 * request id its 16 bytes and a checkpoint time its difference in seconds: about a third of that.
 *
 * <p>Lossless by construction: the tokenizer cuts any text (JSON or not, truncated or not) into pieces whose
 * concatenation is the text, and each changed piece is written in a compact kind only when decoding that kind
 * gives back exactly the same characters (checked at encoding); otherwise as its literal text. Two bodies with a
 * different number of tokens (an array grew) have no patch: the caller deflates instead.
 *
 * <p>Layout: the token count of the base (checked when decoding), then per changed token a varint of
 * {@code gap << 3 | kind} (gap: unchanged tokens since the previous change) and the kind's payload.
 */
final class TokenPatch {
    private static final int LITERAL = 0;
    private static final int INTEGER = 1;
    private static final int UUID_UPPER = 2;
    private static final int UUID_LOWER = 3;
    private static final int DATE_TIME = 4;

    private TokenPatch() {
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

    /** base with the patch applied. */
    static String apply(String base, byte[] patch) {
        int[] b = tokens(base);
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(patch));
            int count = varint(in);
            if (count != b.length - 1) {
                throw new IllegalArgumentException("a raw patch for " + count + " tokens applied to a keyframe of " + (b.length - 1));
            }
            StringBuilder out = new StringBuilder(base.length() + 64);
            int next = 0;
            while (in.available() > 0) {
                int head = varint(in);
                int index = next + (head >>> 3);
                if (index >= count) {
                    throw new IllegalArgumentException("a raw patch changes token " + index + " of " + count);
                }
                out.append(base, b[next], b[index]);
                out.append(readChange(in, head & 7, base.substring(b[index], b[index + 1])));
                next = index + 1;
            }
            out.append(base, b[next], base.length());
            return out.toString();
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt raw patch: " + e.getMessage(), e);
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

    private static String readChange(DataInputStream in, int kind, String old) throws IOException {
        switch (kind) {
            case LITERAL -> {
                byte[] utf8 = new byte[varint(in)];
                in.readFully(utf8);
                return new String(utf8, StandardCharsets.UTF_8);
            }
            case INTEGER -> {
                Long from = integer(old);
                if (from == null) {
                    throw new IllegalArgumentException("a raw patch adds to a token that is not an integer");
                }
                return Long.toString(from + unzigzag(varlong(in)));
            }
            case UUID_UPPER, UUID_LOWER -> {
                return quotedUuid(new UUID(in.readLong(), in.readLong()), kind == UUID_UPPER);
            }
            case DATE_TIME -> {
                LocalDateTime then = dateTime(old);
                if (then == null) {
                    throw new IllegalArgumentException("a raw patch moves a token that is not a date-time");
                }
                return formatDateTime(then.plusSeconds(unzigzag(varlong(in))), old.charAt(11));
            }
            default -> throw new IllegalArgumentException("unknown raw patch kind " + kind);
        }
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

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    static void varint(DataOutputStream d, int v) throws IOException {
        varlong(d, v & 0xFFFFFFFFL);
    }

    static int varint(DataInputStream d) throws IOException {
        long v = varlong(d);
        if (v > Integer.MAX_VALUE) {
            throw new IOException("malformed length");
        }
        return (int) v;
    }

    private static void varlong(DataOutputStream d, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            d.writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d.writeByte((int) v);
    }

    private static long varlong(DataInputStream d) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = d.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed number");
    }
}
