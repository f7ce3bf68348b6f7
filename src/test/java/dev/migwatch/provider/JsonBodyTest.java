package dev.migwatch.provider;

import dev.migwatch.history.BodyText;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class JsonBodyTest {

    /** The answer as received against the same answer decoded first, as migwatch parsed every answer before. */
    private static void sameAsItsText(byte[] bytes) {
        JsonBody received = new JsonBody(BodyText.received(bytes));
        JsonBody decoded = new JsonBody(new String(bytes, StandardCharsets.UTF_8));
        assertEquals(decoded.tree(), received.tree());
        assertEquals(decoded.problem(), received.problem());
    }

    @Test
    void bytesJacksonWouldReadAsAnotherEncodingPassOrFailAsTheirText() {
        // zero bytes among the first four: Jackson's byte reader guesses UTF-16 or UTF-32 (and for 00 7B 00 00 throws an
        // exception that is no parse error at all)
        for (byte[] b : new byte[][] {{0x00, 0x7b, 0x00, 0x00}, {0x7b, 0x00, 0x7d, 0x00}, {0x00, 0x7b, 0x00, 0x7d}}) {
            sameAsItsText(b);
            assertNull(new JsonBody(BodyText.received(b)).tree());
            assertNotNull(new JsonBody(BodyText.received(b)).problem());
        }
        // a UTF-8 byte-order mark, which Jackson's byte reader skips and the text parser refuses
        byte[] bom = "\uFEFF{\"Success\":true}".getBytes(StandardCharsets.UTF_8);
        sameAsItsText(bom);
        assertNull(new JsonBody(BodyText.received(bom)).tree());
    }

    @Test
    void anOrdinaryAnswerParsesFromItsBytesToTheSameTree() {
        sameAsItsText("{\"Success\":true,\"Data\":{\"StepName\":\"全量迁移\",\"n\":1}}".getBytes(StandardCharsets.UTF_8));
        sameAsItsText("  ".getBytes(StandardCharsets.UTF_8));
        sameAsItsText("<html>502</html>".getBytes(StandardCharsets.UTF_8));
    }
}
