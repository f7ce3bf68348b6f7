package dev.migwatch.storage;

import dev.migwatch.history.RawBody;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The raw answers of one poll as one compressed record. Every answer of a running task differs from the
 * previous one (counters, checkpoints, request ids), so storing "bodies that changed" stores them all; but
 * two answers of one API a poll apart differ in a few dozen values. A delta record writes each body as a
 * {@link TokenPatch} of the same API's body in a keyframe record (the tokens that differ, each in a few bytes), or,
 * when the two differ in structure, deflates it with that body as the preset dictionary (java.util.zip, RFC 1950
 * FDICT), so that the compressor finds almost everything in the dictionary. A keyframe is deflated on its own;
 * reading a delta needs its keyframe only, never a chain.
 *
 * <p>Record layout (version 2): a version byte and a count, then per body a tag (0: API name and content type follow
 * as strings; k > 0: the same API and content type as body k-1 of the keyframe), a presence byte, a mode byte
 * (0 deflated, 1 patched), the text's length and the packed length (unsigned varints), and the packed bytes.
 * Version 1 (before patches) had no mode byte: every body deflated. No zlib header or checksum: a poll's record is
 * a few dozen bytes, and these would be a fifth of it.
 */
final class RawBodyCodec {
    /** A new keyframe after this many deltas, so that a keyframe never has to serve a body that drifted far. */
    static final int MAX_DELTAS = 240;
    /** 1: every body deflated; 2: a mode per body, deflated or a {@link TokenPatch} of the keyframe's body. */
    private static final int VERSION = 2;
    private static final int DEFLATED = 0;
    private static final int PATCHED = 1;

    private RawBodyCodec() {
    }

    /**
     * The bodies of a keyframe, by API, as the base of later deltas (the dictionary of deflated ones), with their
     * content types.
     */
    record Keyframe(java.time.Instant at, Map<String, TokenPatch.Base> bodies, List<String> types, int size) {
    }

    static byte[] encode(List<RawBody> bodies, Keyframe base) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(out);
            d.writeByte(VERSION);
            varint(d, bodies.size());
            List<String> keyApis = base == null ? List.of() : new ArrayList<>(base.bodies().keySet());
            for (RawBody b : bodies) {
                byte[] text = b.content() == null ? new byte[0] : b.content().utf8();
                TokenPatch.Base keyBody = base == null ? null : base.bodies().get(b.api());
                byte[] dictionary = keyBody == null ? null : keyBody.utf8();
                byte[] packed = keyBody == null || b.content() == null ? null : TokenPatch.diff(keyBody, dictionary, text);
                // a patch of many changes (a body that drifted far) may lose to deflate, which finds repeats within it
                if (packed != null && packed.length > PATCH_OR_DEFLATE) {
                    byte[] deflated = deflate(text, dictionary);
                    packed = deflated.length < packed.length ? null : packed;
                }
                int mode = packed == null ? DEFLATED : PATCHED;
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
                d.writeBoolean(b.content() != null);
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

    /** The bodies of a record; base is the keyframe's bodies for a delta, null for a keyframe. */
    static List<RawBody> decode(byte[] record, Keyframe base) {
        try {
            DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(record));
            int version = d.readByte();
            if (version != 1 && version != VERSION) {
                throw new IllegalArgumentException("unknown raw record version " + version);
            }
            int n = varint(d);
            List<String> keyApis = base == null ? List.of() : new ArrayList<>(base.bodies().keySet());
            List<RawBody> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int tag = varint(d);
                String api;
                String type;
                if (tag == 0) {
                    api = d.readUTF();
                    type = d.readUTF();
                } else {
                    if (tag > keyApis.size()) {
                        throw new IllegalArgumentException("a delta refers to body " + tag + " of a keyframe that has " + keyApis.size());
                    }
                    api = keyApis.get(tag - 1);
                    type = base.types().get(tag - 1);
                }
                boolean present = d.readBoolean();
                int mode = version == 1 ? DEFLATED : d.readByte();
                int length = varint(d);
                byte[] packed = new byte[varint(d)];
                d.readFully(packed);
                TokenPatch.Base keyBody = base == null ? null : base.bodies().get(api);
                byte[] dictionary = keyBody == null ? null : keyBody.utf8();
                String body;
                if (mode == PATCHED) {
                    if (dictionary == null) {
                        throw new IllegalArgumentException("a patched raw body read without its keyframe");
                    }
                    body = TokenPatch.apply(new String(dictionary, StandardCharsets.UTF_8), packed);
                    if (body.getBytes(StandardCharsets.UTF_8).length != length) {
                        throw new IllegalArgumentException("corrupt raw patch: " + body.length() + " characters, " + length + " bytes expected");
                    }
                } else if (mode == DEFLATED) {
                    byte[] text = inflate(packed, length, dictionary);
                    body = present ? new String(text, StandardCharsets.UTF_8) : null;
                } else {
                    throw new IllegalArgumentException("unknown raw body mode " + mode);
                }
                out.add(new RawBody(api, null, type.isEmpty() ? null : type, body));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt raw record: " + e.getMessage(), e);
        }
    }

    /** Above this many bytes a patch is compared with the deflated body, and the smaller kept. */
    private static final int PATCH_OR_DEFLATE = 256;

    private static void varint(DataOutputStream d, int v) throws IOException {
        while ((v & ~0x7F) != 0) {
            d.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d.writeByte(v);
    }

    private static int varint(DataInputStream d) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = d.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed length");
    }

    static Keyframe keyframe(java.time.Instant at, List<RawBody> bodies, int encodedSize) {
        Map<String, TokenPatch.Base> byApi = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (RawBody b : bodies) {
            byApi.put(b.api(), TokenPatch.Base.of(b.content() == null ? new byte[0] : b.content().utf8()));
            types.put(b.api(), b.contentType() == null ? "" : b.contentType());
        }
        return new Keyframe(at, byApi, List.copyOf(types.values()), encodedSize);
    }

    /**
     * A deflater at level 9 allocates about 270 KB of native zlib state; one was made and ended for every keyframe and
     * every deflated body (two a poll of a task in incremental sync), with an 8 KB buffer and a growing stream around
     * it. A few are kept instead, reset between uses: as many as deflate at once, which is rarely more than one.
     */
    private static final class Packer {
        private static final java.util.concurrent.ArrayBlockingQueue<Packer> IDLE = new java.util.concurrent.ArrayBlockingQueue<>(4);

        final Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] out = new byte[8192];

        static Packer take() {
            Packer p = IDLE.poll();
            return p == null ? new Packer() : p;
        }

        void giveBack() {
            deflater.reset();
            if (out.length > 256 * 1024) {
                out = new byte[8192];
            }
            if (!IDLE.offer(this)) {
                deflater.end();
            }
        }
    }

    private static final java.util.concurrent.ArrayBlockingQueue<Inflater> IDLE_INFLATERS = new java.util.concurrent.ArrayBlockingQueue<>(4);

    static byte[] deflate(byte[] text, byte[] dictionary) {
        Packer p = Packer.take();
        try {
            Deflater deflater = p.deflater;
            if (dictionary != null && dictionary.length > 0) {
                deflater.setDictionary(dictionary);
            }
            deflater.setInput(text);
            deflater.finish();
            int n = 0;
            while (!deflater.finished()) {
                if (n == p.out.length) {
                    p.out = java.util.Arrays.copyOf(p.out, p.out.length * 2);
                }
                n += deflater.deflate(p.out, n, p.out.length - n);
            }
            return java.util.Arrays.copyOf(p.out, n);
        } finally {
            p.giveBack();
        }
    }

    static byte[] inflate(byte[] packed, int length, byte[] dictionary) {
        Inflater taken = IDLE_INFLATERS.poll();
        Inflater inflater = taken == null ? new Inflater(true) : taken;
        try {
            if (dictionary != null && dictionary.length > 0) {
                inflater.setDictionary(dictionary);
            }
            inflater.setInput(packed);
            byte[] out = new byte[length];
            int n = 0;
            while (n < length) {
                int got = inflater.inflate(out, n, length - n);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != length) {
                throw new IllegalArgumentException("corrupt raw body: " + n + " of " + length + " bytes"
                        + (dictionary == null ? " (a delta read without its keyframe?)" : ""));
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt raw body: " + e.getMessage(), e);
        } finally {
            inflater.reset();
            if (!IDLE_INFLATERS.offer(inflater)) {
                inflater.end();
            }
        }
    }
}
