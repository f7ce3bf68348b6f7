package dev.migwatch.storage;

import dev.migwatch.history.RawBody;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenPatchTest {

    private static final String BASE = "{\"RequestId\":\"AD11A3CC-7F7B-48E4-8567-D21F8330014B\",\"Cost\":\"1\",\"Data\":{\"Steps\":[{"
            + "\"processedRecords\":5723118,\"srcRps\":2338,\"srcRt\":\"9\",\"Progress\":22,\"rate\":0.50,"
            + "\"GmtModified\":\"2026-06-01T00:50:00\",\"Checkpoint\":\"2026-06-01 00:49:58\",\"Name\":\"FULL_TRANSFER\"}]}}";

    @Test
    void aPollOfChangedCountersCostsBytesPerValueNotPerCharacter() {
        String next = BASE.replace("AD11A3CC-7F7B-48E4-8567-D21F8330014B", "E199152A-5192-4C0A-86AC-A1049107B055")
                .replace("5723118", "5765242").replace("2338", "2181").replace("\"9\"", "\"3\"").replace(":22,", ":23,")
                .replace("00:50:00", "00:50:20").replace("00:49:58", "00:50:18");
        byte[] patch = TokenPatch.diff(BASE, next);
        assertEquals(next, TokenPatch.apply(BASE, patch));
        // count 1-2, uuid 17, two integers 4 + 3, string literal 4, integer 2, two date-times 2 each
        assertTrue(patch.length <= 40, "patch of " + patch.length + " bytes");
    }

    @Test
    void everyTextComesBackExactlyEvenWhatIsNotJson() {
        Random random = new Random(42);
        String alphabet = "{}[]:,\" \\-.0123456789eEabcdefABCDEFTtruenl\u00e9\u4e2d\n";
        int patched = 0;
        for (int round = 0; round < 3000; round++) {
            String base = randomText(random, alphabet, random.nextInt(200));
            String text = mutate(random, base, alphabet);
            byte[] patch = TokenPatch.diff(base, text);
            if (patch != null) {
                patched++;
                assertEquals(text, TokenPatch.apply(base, patch), "base " + base + " text " + text);
            }
        }
        // answers of one structure with random values: every one has a patch, and it gives the answer back
        for (int round = 0; round < 3000; round++) {
            String base = answer(random);
            String text = answer(new Random(random.nextLong()), base);
            byte[] patch = TokenPatch.diff(base, text);
            assertEquals(text, TokenPatch.apply(base, patch), "base " + base + " text " + text);
            patched++;
        }
        assertTrue(patched > 3500, patched + " of 6000 texts had a patch");
    }

    @Test
    void compactKindsOnlyWhereTheyRebuildTheSameCharacters() {
        // leading zeros, a mixed-case request id, an impossible date, "-0", a huge number: literals, still exact
        String base = "{\"a\":007,\"b\":\"aBcDEF01-0000-0000-0000-000000000000\",\"c\":\"2026-02-30T00:00:00\",\"d\":-0,"
                + "\"e\":123456789012345678901,\"f\":1e5}";
        String text = "{\"a\":008,\"b\":\"aBcDEF01-0000-0000-0000-000000000001\",\"c\":\"2026-02-31T00:00:00\",\"d\":-1,"
                + "\"e\":123456789012345678902,\"f\":2e5}";
        assertEquals(text, TokenPatch.apply(base, TokenPatch.diff(base, text)));
    }

    /**
     * A keyframe lives as long as its task is watched: it keeps its body deflated where that is shorter (an answer of
     * several KB of repeated keys), as it is where not, and gives back every byte either way.
     */
    @Test
    void aKeyframeKeepsItsBodyDeflatedAndGivesItBackExactly() {
        StringBuilder answer = new StringBuilder("{\"Data\":[");
        for (int i = 0; i < 40; i++) {
            answer.append(i == 0 ? "" : ",").append(BASE.replace("5723118", String.valueOf(5723118 + 977L * i)));
        }
        String large = answer.append("]}").toString();
        for (String text : List.of(large, BASE, "")) {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            TokenPatch.Base base = TokenPatch.Base.of(body);
            if (text.equals(large)) {
                assertTrue(base.keptBytes() < body.length / 3, base.keptBytes() + " bytes kept for " + body.length);
            } else {
                assertTrue(base.keptBytes() <= body.length, base.keptBytes() + " bytes kept for " + body.length);
            }
            assertEquals(text, new String(base.utf8(), StandardCharsets.UTF_8));
            assertEquals(text, new String(base.utf8(), StandardCharsets.UTF_8), "the second time too");
        }
    }

    @Test
    void aDifferentStructureHasNoPatch() {
        assertNull(TokenPatch.diff("{\"a\":[1,2]}", "{\"a\":[1,2,3]}"));
    }

    @Test
    void recordsMixPatchesAndDeflateAndReadBackWithTheirKeyframe() {
        RawBody a = new RawBody("DescribeProject", null, "application/json", BASE);
        RawBody b = new RawBody("DescribeProjectSteps", null, "application/json", "{\"Data\":[1,2]}");
        byte[] key = RawBodyCodec.encode(List.of(a, b), null);
        RawBodyCodec.Keyframe keyframe = RawBodyCodec.keyframe(Instant.EPOCH, List.of(a, b), key.length);
        RawBody a2 = new RawBody("DescribeProject", null, "application/json", BASE.replace("5723118", "5723119"));
        RawBody b2 = new RawBody("DescribeProjectSteps", null, "application/json", "{\"Data\":[1,2,3]}"); // grew: deflated
        RawBody c2 = new RawBody("DescribeProjectComponents", null, null, (String) null); // not in the keyframe, no body
        byte[] delta = RawBodyCodec.encode(List.of(a2, b2, c2), keyframe);
        List<RawBody> back = RawBodyCodec.decode(delta, keyframe);
        assertEquals(List.of(a2.body(), b2.body()), back.subList(0, 2).stream().map(RawBody::body).toList());
        assertNull(back.get(2).body());
        assertEquals("DescribeProjectComponents", back.get(2).api());
        // header 2, a2 patched ~8, b2 deflated ~15, c2 named in full ~32
        assertTrue(delta.length < 70, delta.length + " bytes");
    }

    @Test
    void recordsOfTheFirstFormatStillRead() {
        // version 1, written before patches: one body, tag 1 (the keyframe's first API), present, deflated with the dictionary
        byte[] dictionary = BASE.getBytes(StandardCharsets.UTF_8);
        String next = BASE.replace("5723118", "5800000");
        byte[] text = next.getBytes(StandardCharsets.UTF_8);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setDictionary(dictionary);
        deflater.setInput(text);
        deflater.finish();
        byte[] buffer = new byte[4096];
        int packed = deflater.deflate(buffer);
        deflater.end();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(1);
        record.write(1);
        record.write(1);
        record.write(1);
        record.write(text.length & 0x7F | 0x80);
        record.write(text.length >>> 7);
        record.write(packed);
        record.write(buffer, 0, packed);
        RawBody a = new RawBody("DescribeProject", null, "application/json", BASE);
        RawBodyCodec.Keyframe keyframe = RawBodyCodec.keyframe(Instant.EPOCH, List.of(a), 0);
        assertEquals(next, RawBodyCodec.decode(record.toByteArray(), keyframe).get(0).body());
    }

    private static String answer(Random random) {
        return answer(random, null);
    }

    /** A JSON answer of fixed structure with random values (different values of the same kinds when like is given). */
    private static String answer(Random random, String like) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < 12; i++) {
            s.append("\"k").append(i).append("\":");
            switch (i % 6) {
                case 0 -> s.append(random.nextLong() / (1 + random.nextInt(1000)));
                case 1 -> s.append('"').append(random.nextBoolean() ? java.util.UUID.randomUUID().toString()
                        : java.util.UUID.randomUUID().toString().toUpperCase()).append('"');
                case 2 -> s.append('"').append(java.time.LocalDateTime.of(2020 + random.nextInt(10), 1 + random.nextInt(12),
                        1 + random.nextInt(28), random.nextInt(24), random.nextInt(60), random.nextInt(60))
                        .toString().replace('T', random.nextBoolean() ? 'T' : ' ')).append('"');
                case 3 -> s.append(random.nextInt(1000) / 100.0);
                case 4 -> s.append('"').append(Long.toString(random.nextLong(), 36)).append("\\\"\u00e9\"");
                default -> s.append(random.nextBoolean() ? "true" : "null");
            }
            s.append(i < 11 ? "," : "}");
        }
        return s.toString();
    }

    private static String randomText(Random random, String alphabet, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Replaces a few characters, or a whole random span, keeping the length most of the time. */
    private static String mutate(Random random, String base, String alphabet) {
        if (base.isEmpty()) {
            return base;
        }
        StringBuilder s = new StringBuilder(base);
        int changes = 1 + random.nextInt(4);
        for (int i = 0; i < changes; i++) {
            int at = random.nextInt(s.length());
            s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    @Test
    void theKeptDeflatersAndInflatersGiveWhatNewOnesGive() {
        // deflaters and inflaters are reset and reused: with and without a dictionary, by turns, larger than the scratch
        // buffer, and after a corrupt input, each result is byte for byte a new Deflater's and reads back
        byte[] dictionary = BASE.getBytes(StandardCharsets.UTF_8);
        byte[] noise = new byte[100_000];
        new java.util.Random(3).nextBytes(noise);
        byte[][] texts = {BASE.replace("5723118", "5723999").getBytes(StandardCharsets.UTF_8), noise, "{}".getBytes(StandardCharsets.UTF_8)};
        for (int round = 0; round < 3; round++) {
            for (byte[] text : texts) {
                for (byte[] dict : new byte[][]{null, dictionary}) {
                    byte[] packed = RawBodyCodec.deflate(text, dict);
                    assertArrayEquals(freshDeflate(text, dict), packed);
                    assertArrayEquals(text, RawBodyCodec.inflate(packed, text.length, dict));
                }
            }
            byte[] good = RawBodyCodec.deflate(texts[0], null);
            byte[] corrupt = good.clone();
            corrupt[0] ^= (byte) 0xFF;
            corrupt[1] ^= (byte) 0xFF;
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> RawBodyCodec.inflate(corrupt, texts[0].length, null));
        }
    }

    private static byte[] freshDeflate(byte[] text, byte[] dictionary) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        if (dictionary != null) {
            deflater.setDictionary(dictionary);
        }
        deflater.setInput(text);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }
}
