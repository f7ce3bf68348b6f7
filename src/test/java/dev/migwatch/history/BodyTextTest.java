package dev.migwatch.history;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BodyTextTest {

    /** What the JDK's decoder says, which is what migwatch decided with before it kept the bytes. */
    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void wellFormedAgreesWithTheJdkDecoderOnEverySequenceUpToThreeBytes() {
        int accepted = 0;
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                byte[] two = {(byte) a, (byte) b};
                assertEquals(jdkAccepts(two), BodyText.wellFormed(two), () -> String.format("%02x %02x", two[0], two[1]));
                accepted += BodyText.wellFormed(two) ? 1 : 0;
                for (int c : new int[] {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xff}) {
                    byte[] three = {(byte) a, (byte) b, (byte) c};
                    assertEquals(jdkAccepts(three), BodyText.wellFormed(three),
                            () -> String.format("%02x %02x %02x", three[0], three[1], three[2]));
                }
            }
        }
        // accepted and refused pairs are both reached (16,384 of them are two ASCII bytes)
        assertTrue(accepted > 16_384 && accepted < 65_536, "accepted " + accepted);
    }

    @Test
    void wellFormedAgreesWithTheJdkDecoderOnRandomTextWithDamage() {
        Random random = new Random(12);
        String[] pieces = {"{\"StepName\":\"", "全量迁移", "增量同步", "😀", "é", "\"}", "a", " ", "\u07ff", "\uffff", "\ud7ff"};
        int broken = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(12); k >= 0; k--) {
                s.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
            if (b.length > 0 && random.nextBoolean()) {
                // a byte changed, or the text cut short, as a bad proxy or a truncated answer would
                if (random.nextBoolean()) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                } else {
                    b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
                }
            }
            byte[] bytes = b;
            boolean jdk = jdkAccepts(bytes);
            broken += jdk ? 0 : 1;
            assertEquals(jdk, BodyText.wellFormed(bytes), () -> Base64.getEncoder().encodeToString(bytes));
        }
        assertTrue(broken > 2_000, "damaged samples reached: " + broken);
    }

    @Test
    void aReceivedUtf8BodyKeepsItsBytesAndDecodesItsText() {
        byte[] bytes = "{\"StepName\":\"全量迁移\"}".getBytes(StandardCharsets.UTF_8);
        BodyText body = BodyText.received(bytes);
        assertSame(bytes, body.utf8(), "the received array, not a copy");
        assertEquals("{\"StepName\":\"全量迁移\"}", body.text());
        assertEquals(BodyText.of("{\"StepName\":\"全量迁移\"}"), body);
        assertEquals(BodyText.of("{\"StepName\":\"全量迁移\"}").hashCode(), body.hashCode());
    }

    @Test
    void aBodyThatIsNotUtf8IsKeptAsItsBytesInBase64() {
        byte[] latin1 = "{\"Message\":\"déjà\"}".getBytes(StandardCharsets.ISO_8859_1);
        BodyText body = BodyText.received(latin1);
        String expected = BodyText.NOT_UTF8 + Base64.getEncoder().encodeToString(latin1);
        assertEquals(expected, body.text());
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), body.utf8(), "what the raw store keeps");
    }

    @Test
    void blankIsAsTheTextSaysWithoutDecodingAsciiBodies() {
        for (String s : new String[] {"", " ", " \t\r\n", "\u3000", " x", "全", "{}"}) {
            assertEquals(s.isBlank(), BodyText.received(s.getBytes(StandardCharsets.UTF_8)).isBlank(), s);
            assertEquals(s.isBlank(), BodyText.of(s).isBlank(), s);
        }
    }
}
