package dev.migwatch.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
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
        return diff(Base.of(base.getBytes(StandardCharsets.UTF_8)), text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The patch that turns base into text (UTF-8), or null when their token structure differs.
     *
     * <p>The same patch as comparing the two token by token, without tokenizing all of both at every poll. The
     * tokenizer splits on ASCII characters only, which UTF-8 never uses inside a multi-byte character, so bytes and
     * characters have the same tokens. And a token of base that ends before the first byte where the rest of the
     * two texts differs (found by Arrays.mismatch, a word at a time) is a token of text too, the same, since the
     * tokenizer reads no further than a token's end. So only the text's changed tokens are tokenized, and the
     * base's from the sampled token before each change.
     */
    static byte[] diff(Base base, byte[] text) {
        return diff(base, base.utf8(), text);
    }

    /** As diff(base, text), with base's bytes (Base.utf8) inflated already. */
    static byte[] diff(Base base, byte[] b, byte[] text) {
        int bn = b.length;
        int tn = text.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        varint(out, base.count);
        int i = 0;
        int bs = 0;
        int ts = 0;
        int previous = -1;
        int changes = 0;
        while (bs < bn && ts < tn) {
            int m = Arrays.mismatch(b, bs, bn, text, ts, tn);
            if (m < 0) {
                return out.toByteArray();
            }
            int p = bs + m;
            int shift = ts - bs;
            int sampled = base.sampleBefore(p);
            if (sampled > i) {
                i = sampled;
                bs = base.sampleStart(sampled);
            }
            int be = tokenEnd(b, bs, bn);
            while (be < p) {
                bs = be;
                i++;
                be = tokenEnd(b, bs, bn);
            }
            ts = bs + shift;
            int te = tokenEnd(text, ts, tn);
            if (be - bs != te - ts || !Arrays.equals(b, bs, be, text, ts, te)) {
                if (++changes == COUNT_AFTER_CHANGES && tokenCount(text, ts, tn) != base.count - i) {
                    return null; // a token more or less: every token after it is shifted
                }
                writeChange(out, i - previous - 1, b, bs, be, text, ts, te);
                previous = i;
            }
            i++;
            bs = be;
            ts = te;
        }
        return bs == bn && ts == tn ? out.toByteArray() : null;
    }

    /**
     * A keyframe's body as the base of patches: its UTF-8 bytes, its token count and where every {@value #SAMPLE}th
     * token starts, found once per keyframe instead of at every poll. The samples take about 200 bytes for OMS's
     * three answers of 10 KB; a start for every token would take 7 KB, for no measurable gain (every 4th: no
     * gain either; none: twice the time of a diff).
     */
    static final class Base {
        /** Tokens between samples: a diff tokenizes at most this many base tokens to reach a change. */
        static final int SAMPLE = 32;
        /**
         * The body deflated. A writer keeps its task's keyframe for as long as it watches the task: three OMS answers of
         * 3.4 KB each, 10.3 MB of a heap of 50 to 56 MB live watching 1,000 tasks (a heap dump, docs/measurements.md).
         * Deflated they take a third (3.3 KB of 10 KB a task); a diff inflates its base again (utf8), once per answer and
         * poll: 12 to 17 µs more a poll of the three answers under C1 (RawBodyEncodeBenchmarkTest).
         */
        private final byte[] packed;
        private final int length;
        final int count;
        private final int[] samples;

        private Base(byte[] utf8, int count, int[] samples) {
            byte[] deflated = RawBodyCodec.deflate(utf8, null);
            // a short body may not shrink: kept as it is, read without inflating
            this.packed = deflated.length < utf8.length ? deflated : utf8;
            this.length = utf8.length;
            this.count = count;
            this.samples = samples;
        }

        /** The bytes of the deflated body this keeps. */
        int keptBytes() {
            return packed.length;
        }

        /** The body's UTF-8 bytes, inflated anew (or copied) at every call. */
        byte[] utf8() {
            return packed.length == length ? packed.clone() : RawBodyCodec.inflate(packed, length, null);
        }

        static Base of(byte[] utf8) {
            int n = utf8.length;
            int[] samples = new int[n / 64 + 1];
            int count = 0;
            int found = 0;
            for (int i = 0; i < n; i = tokenEnd(utf8, i, n)) {
                if (count % SAMPLE == 0) {
                    if (found == samples.length) {
                        samples = Arrays.copyOf(samples, found * 2);
                    }
                    samples[found++] = i;
                }
                count++;
            }
            return new Base(utf8, count, Arrays.copyOf(samples, found));
        }

        /** The index of the latest sampled token that starts before position p (0 when none). */
        int sampleBefore(int p) {
            int k = Arrays.binarySearch(samples, p);
            int before = (k >= 0 ? k : -k - 1) - 1;
            return Math.max(before, 0) * SAMPLE;
        }

        int sampleStart(int token) {
            return samples[token / SAMPLE];
        }

        int samples() {
            return samples.length;
        }
    }

    /**
     * A poll changes up to a dozen tokens of an OMS answer; a body with a token more or less than its base has
     * nearly all tokens after that one changed: after this many changes, the text's tokens are counted to know.
     */
    private static final int COUNT_AFTER_CHANGES = 32;

    private static int tokenCount(byte[] s, int from, int n) {
        int count = 0;
        for (int i = from; i < n; i = tokenEnd(s, i, n)) {
            count++;
        }
        return count;
    }

    /** Where the token starting at i ends; the same rules as {@link #tokens(String)}, on UTF-8. */
    private static int tokenEnd(byte[] s, int i, int n) {
        byte c = s[i];
        int j = i + 1;
        if (c == '"') {
            while (j < n && s[j] != '"') {
                j += s[j] == '\\' ? 2 : 1;
            }
            return Math.min(j + 1, n);
        }
        if (c == '-' || isDigit(c)) {
            while (j < n && (isDigit(s[j]) || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-')) {
                j++;
            }
            return j;
        }
        while (j < n && s[j] != '"' && s[j] != '-' && !isDigit(s[j])) {
            j++;
        }
        return j;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
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

    /**
     * A changed token in the first compact kind that gives back exactly its bytes, else as a literal: the same
     * choices, in the same order, as when this worked on strings (TokenPatchSameBytesTest compares with that
     * encoder).
     */
    private static void writeChange(ByteArrayOutputStream out, int gap, byte[] o, int os, int oe, byte[] t, int ts, int te) {
        if (isInteger(o, os, oe) && isInteger(t, ts, te)) {
            varint(out, gap << 3 | INTEGER);
            varlong(out, zigzag(parseInteger(t, ts, te) - parseInteger(o, os, oe)));
            return;
        }
        int uuid = uuidKind(t, ts, te);
        if (uuid >= 0) {
            varint(out, gap << 3 | uuid);
            writeUuid(out, t, ts + 1);
            return;
        }
        if (oe - os == 21 && te - ts == 21 && o[os + 11] == t[ts + 11]) {
            long seconds = secondsBetween(o, os, t, ts);
            if (seconds != NOT_A_TIME) {
                varint(out, gap << 3 | DATE_TIME);
                varlong(out, zigzag(seconds));
                return;
            }
        }
        varint(out, gap << 3 | LITERAL);
        varint(out, te - ts);
        out.write(t, ts, te - ts);
    }

    /** As {@link #integer(String)}: a canonical JSON integer of at most 18 digits. */
    private static boolean isInteger(byte[] s, int from, int to) {
        int start = to > from && s[from] == '-' ? from + 1 : from;
        int digits = to - start;
        if (digits < 1 || digits > 18 || (s[start] == '0' && (digits > 1 || start > from))) {
            return false;
        }
        for (int i = start; i < to; i++) {
            if (!isDigit(s[i])) {
                return false;
            }
        }
        return true;
    }

    private static long parseInteger(byte[] s, int from, int to) {
        boolean negative = s[from] == '-';
        long v = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            v = v * 10 + (s[i] - '0');
        }
        return negative ? -v : v;
    }

    /**
     * UUID_UPPER or UUID_LOWER for a quoted UUID that {@link #quotedUuid} rebuilds (hex digits in one case; digits
     * only count as upper case), or -1.
     */
    private static int uuidKind(byte[] s, int from, int to) {
        if (to - from != 38 || s[from] != '"' || s[to - 1] != '"') {
            return -1;
        }
        boolean lower = false;
        boolean upper = false;
        for (int i = 0; i < 36; i++) {
            byte c = s[from + 1 + i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return -1;
                }
            } else if (c >= 'a' && c <= 'f') {
                lower = true;
            } else if (c >= 'A' && c <= 'F') {
                upper = true;
            } else if (!isDigit(c)) {
                return -1;
            }
        }
        return lower == upper && lower ? -1 : lower ? UUID_LOWER : UUID_UPPER;
    }

    /** The 32 hex digits from s[from] (dashes skipped) as the two longs of the UUID, most significant first. */
    private static void writeUuid(ByteArrayOutputStream out, byte[] s, int from) {
        long[] halves = new long[2];
        int nibble = 0;
        for (int i = from; nibble < 32; i++) {
            if (s[i] != '-') {
                halves[nibble / 16] = halves[nibble / 16] << 4 | Character.digit(s[i], 16);
                nibble++;
            }
        }
        for (long half : halves) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (half >>> shift));
            }
        }
    }

    private static final long NOT_A_TIME = Long.MIN_VALUE;

    /**
     * The seconds from the date-time token at o[os] to the one at t[ts] (21 bytes each, the same separator), or
     * NOT_A_TIME: what the string encoder decided with {@link #dateTime(String)} and {@link #formatDateTime}. That
     * parse took ASCII digits where the pattern has them and a real date and time, nothing else in 21 characters
     * (a signed year needs more), and formatting such a time gives back its characters.
     */
    private static long secondsBetween(byte[] o, int os, byte[] t, int ts) {
        long then = epochSecond(o, os);
        long at = epochSecond(t, ts);
        return then == NOT_A_TIME || at == NOT_A_TIME ? NOT_A_TIME : at - then;
    }

    /** "yyyy-MM-ddTHH:mm:ss" or with a space, quoted, all digits where the pattern has them. */
    private static boolean digitsShaped(byte[] s, int from) {
        if (s[from] != '"' || s[from + 20] != '"' || s[from + 5] != '-' || s[from + 8] != '-'
                || (s[from + 11] != 'T' && s[from + 11] != ' ') || s[from + 14] != ':' || s[from + 17] != ':') {
            return false;
        }
        for (int i : DIGITS_AT) {
            if (!isDigit(s[from + i])) {
                return false;
            }
        }
        return true;
    }

    private static final int[] DIGITS_AT = {1, 2, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19};

    /** The digits-shaped date-time token at s[from] in seconds since 1970 (as UTC), or NOT_A_TIME. */
    private static long epochSecond(byte[] s, int from) {
        if (!digitsShaped(s, from)) {
            return NOT_A_TIME;
        }
        try {
            return LocalDateTime.of(number(s, from + 1, 4), number(s, from + 6, 2), number(s, from + 9, 2), number(s, from + 12, 2),
                    number(s, from + 15, 2), number(s, from + 18, 2)).toEpochSecond(java.time.ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return NOT_A_TIME; // 30 February or 24:00: LocalDateTime.parse refuses them too
        }
    }

    private static int number(byte[] s, int from, int digits) {
        int v = 0;
        for (int i = from; i < from + digits; i++) {
            v = v * 10 + (s[i] - '0');
        }
        return v;
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

    private static void varint(ByteArrayOutputStream out, int v) {
        varlong(out, v & 0xFFFFFFFFL);
    }

    static int varint(DataInputStream d) throws IOException {
        long v = varlong(d);
        if (v > Integer.MAX_VALUE) {
            throw new IOException("malformed length");
        }
        return (int) v;
    }

    private static void varlong(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
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
