package dev.migwatch.storage;

import dev.migwatch.history.RawBody;
import dev.migwatch.simulator.OmsAnswers;
import dev.migwatch.simulator.OmsScenario;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encoder that works on UTF-8 bytes against a keyframe tokenized once writes the very bytes the encoder before it
 * wrote ({@link RawBodyEncoderBefore}): the stored format is the same, and so is every record's size.
 */
class TokenPatchSameBytesTest {
    private static final Instant EPOCH = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void theSimulatorsAnswersGiveTheSameRecordsThroughEveryPhase() {
        Map<String, OmsScenario> projects = new LinkedHashMap<>();
        for (OmsScenario scenario : OmsScenario.values()) {
            projects.put("np_" + scenario.name().toLowerCase(), scenario);
        }
        OmsAnswers answers = new OmsAnswers(projects, EPOCH);
        int patched = 0;
        int deflated = 0;
        for (String project : projects.keySet()) {
            // a keyframe every 40 polls of 30 s: pre-check to incremental sync, with steps that finish in between
            for (double start = 30; start < 4 * 3600; start += 40 * 30) {
                List<RawBody> first = bodies(answers.at(project, start));
                RawBodyCodec.Keyframe keyframe = RawBodyCodec.keyframe(EPOCH, first, 0);
                assertArrayEquals(RawBodyEncoderBefore.encode(first, null), RawBodyCodec.encode(first, null));
                for (int p = 1; p < 40; p++) {
                    List<RawBody> poll = bodies(answers.at(project, start + p * 30));
                    byte[] record = RawBodyCodec.encode(poll, keyframe);
                    assertArrayEquals(RawBodyEncoderBefore.encode(poll, keyframe), record, project + " at " + (start + p * 30));
                    for (RawBody b : poll) {
                        if (TokenPatch.diff(keyframe.bodies().get(b.api()), b.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)) == null) {
                            deflated++;
                        } else {
                            patched++;
                        }
                    }
                    assertEquals(poll.stream().map(RawBody::body).toList(),
                            RawBodyCodec.decode(record, keyframe).stream().map(RawBody::body).toList());
                }
            }
        }
        // both paths taken: patches, and bodies whose structure changed since the keyframe (deflated)
        assertTrue(patched > 1000 && deflated > 100, patched + " patched, " + deflated + " deflated");
    }

    @Test
    void randomTextsGiveTheSamePatchesOrNoneAlike() {
        Random random = new Random(7);
        // JSON punctuation, escapes, number characters, ASCII letters, a 2-, a 3- and a 4-byte character
        String[] alphabet = {"{", "}", "[", "]", ":", ",", "\"", "\"", " ", "\\", "-", ".", "e", "E", "+", "0", "1", "5", "9", "a", "F",
                "T", "n", "\u00e9", "\u4e2d", "\ud83d\ude00"};
        int patches = 0;
        for (int round = 0; round < 4000; round++) {
            String base = random(random, alphabet, random.nextInt(round % 10 == 0 ? 3000 : 300));
            String text = mutate(random, base, alphabet);
            byte[] before = RawBodyEncoderBefore.diff(base, text);
            byte[] now = TokenPatch.diff(base, text);
            assertArrayEquals(before, now, "base " + base + "\ntext " + text);
            patches += now == null ? 0 : 1;
        }
        assertTrue(patches > 1000 && patches < 3900, patches + " of 4000 with a patch");
    }

    @Test
    void manyChangesOfTheSameStructureStillMakeAPatchAndATokenMoreMakesNone() {
        StringBuilder base = new StringBuilder("{");
        StringBuilder changed = new StringBuilder("{");
        for (int i = 0; i < 200; i++) {
            base.append("\"k").append(i).append("\":").append(i).append(',');
            changed.append("\"k").append(i).append("\":").append(i + 1).append(',');
        }
        base.append("\"end\":\"\u4e2d\"}");
        changed.append("\"end\":\"\u4e2d\"}");
        byte[] patch = TokenPatch.diff(base.toString(), changed.toString());
        assertNotNull(patch, "200 changed counters, no token more or less");
        assertArrayEquals(RawBodyEncoderBefore.diff(base.toString(), changed.toString()), patch);
        assertEquals(changed.toString(), TokenPatch.apply(base.toString(), patch));
        // a member more near the start, and near the end (after the check for a shifted structure would have run)
        for (String more : List.of(changed.toString().replace("\"k1\":2,", "\"k1\":2,\"x\":0,"),
                changed.toString().replace("\"k199\":200,", "\"k199\":200,\"x\":0,"), base + "0", base + "\"x\"")) {
            assertNull(TokenPatch.diff(base.toString(), more), more);
            assertNull(RawBodyEncoderBefore.diff(base.toString(), more), more);
            assertNull(TokenPatch.diff(more, base.toString()), more);
        }
    }

    @Test
    void tokensOfEveryShapeAreWrittenInTheSameKindAsBefore() {
        List<String> tokens = List.of(
                // integers: canonical, leading zero, "-0", the largest kept and one digit more, not integers
                "0", "7", "-1", "-0", "007", "123456789012345678", "-123456789012345678", "1234567890123456789", "1e5", "1.0", "-", "--1",
                // request ids: upper, lower, digits only, mixed case, a letter beyond f, dashes elsewhere, a character beyond ASCII
                "\"AD11A3CC-7F7B-48E4-8567-D21F8330014B\"", "\"ad11a3cc-7f7b-48e4-8567-d21f8330014b\"",
                "\"12345678-1234-1234-1234-123456789012\"", "\"aD11A3CC-7F7B-48E4-8567-D21F8330014B\"",
                "\"AG11A3CC-7F7B-48E4-8567-D21F8330014B\"", "\"AD11A3CC7-F7B-48E4-8567-D21F8330014B\"",
                "\"\uff21D11A3CC-7F7B-48E4-8567-D21F8330014B\"",
                // date-times: T, space, leap day and none, 24:00, a leap second, year 0 and 9999, signs, letters, another separator
                "\"2026-06-01T00:50:00\"", "\"2026-06-01 00:50:20\"", "\"2026-06-01T00:50:20\"", "\"2024-02-29T23:59:59\"",
                "\"2026-02-29T00:00:00\"", "\"2026-06-01T24:00:00\"", "\"2026-06-01T23:59:60\"", "\"0000-01-01T00:00:00\"",
                "\"9999-12-31T23:59:59\"", "\"+999-01-01T00:00:00\"", "\"-001-01-01T00:00:00\"", "\"2026-06-01T00:00:0a\"",
                "\"2026-06-01X00:50:00\"", "\"2026/06/01T00:50:00\"", "\"\uff12026-06-01T00:50:00\"", "\"2026-06-01T00:50:00.5\"",
                // others
                "\"\"", "\"a\\\"b\"", "\"\u4e2d\u6587\"", "true", "null");
        for (String from : tokens) {
            for (String to : tokens) {
                String base = "{\"a\":" + from + ",\"b\":[1,\"c\"]}";
                String text = "{\"a\":" + to + ",\"b\":[1,\"c\"]}";
                byte[] patch = TokenPatch.diff(base, text);
                assertArrayEquals(RawBodyEncoderBefore.diff(base, text), patch, from + " -> " + to);
                if (patch != null) {
                    assertEquals(text, TokenPatch.apply(base, patch), from + " -> " + to);
                }
            }
        }
    }

    private static List<RawBody> bodies(Map<String, String> answers) {
        List<RawBody> out = new ArrayList<>();
        answers.forEach((api, body) -> out.add(new RawBody(api, null, "application/json", body)));
        return out;
    }

    private static String random(Random random, String[] alphabet, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return s.toString();
    }

    /** A few pieces replaced, or one inserted or removed (a token more or less, mostly). */
    private static String mutate(Random random, String base, String[] alphabet) {
        List<String> pieces = new ArrayList<>(base.codePoints().mapToObj(Character::toString).toList());
        if (pieces.isEmpty()) {
            return base;
        }
        int changes = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 4);
        for (int i = 0; i < changes; i++) {
            int at = random.nextInt(pieces.size());
            switch (random.nextInt(8)) {
                case 0 -> pieces.add(at, alphabet[random.nextInt(alphabet.length)]);
                case 1 -> pieces.remove(at);
                default -> pieces.set(at, alphabet[random.nextInt(alphabet.length)]);
            }
            if (pieces.isEmpty()) {
                return "";
            }
        }
        return String.join("", pieces);
    }
}
