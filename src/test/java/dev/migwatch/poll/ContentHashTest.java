package dev.migwatch.poll;

import dev.migwatch.provider.ApiResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ContentHashTest {

    private static ApiResponse response(String body) {
        return new ApiResponse("DescribeProject", 1, Instant.EPOCH, 5, 200, "application/json", null, body, null);
    }

    @Test
    void perRequestFieldsDoNotMakeABodyNew() {
        assertEquals(ContentHash.of("{\"RequestId\":\"a\",\"Cost\":3,\"Data\":{\"Status\":\"RUNNING\"}}"),
                ContentHash.of("{\"RequestId\":\"b\",\"Cost\":9,\"Data\":{\"Status\":\"RUNNING\"}}"));
        // only at the top: a RequestId inside the data is content
        assertNotEquals(ContentHash.of("{\"Data\":{\"RequestId\":\"a\"}}"), ContentHash.of("{\"Data\":{\"RequestId\":\"b\"}}"));
    }

    @Test
    void anyChangedValueTypeOrBoundaryMakesABodyNew() {
        String base = ContentHash.of("{\"Data\":{\"a\":\"bc\",\"n\":1,\"l\":[1,2]}}");
        assertNotEquals(base, ContentHash.of("{\"Data\":{\"ab\":\"c\",\"n\":1,\"l\":[1,2]}}"));
        assertNotEquals(base, ContentHash.of("{\"Data\":{\"a\":\"bc\",\"n\":\"1\",\"l\":[1,2]}}"));
        assertNotEquals(base, ContentHash.of("{\"Data\":{\"a\":\"bc\",\"n\":1,\"l\":[12]}}"));
        assertNotEquals(base, ContentHash.of("{\"Data\":{\"a\":\"bc\",\"n\":2,\"l\":[1,2]}}"));
    }

    @Test
    void everyCounterValueOfAnAnswerHasItsOwnHash() {
        // what changes between two polls of a running task: a counter or two; 50,000 of them must all differ
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 25_000; i++) {
            seen.add(ContentHash.of("{\"RequestId\":\"r" + i + "\",\"Data\":{\"StepName\":\"全量迁移\",\"ProcessedRecords\":"
                    + (1_000_000_000L + i) + ",\"Rps\":" + (i % 97) + "}}"));
            seen.add(ContentHash.of("{\"Data\":{\"StepName\":\"增量同步\",\"Checkpoint\":\"2026-12-01T10:" + i + "\"}}"));
        }
        assertEquals(50_000, seen.size());
    }

    @Test
    void aBodyThatIsNoJsonObjectIsHashedAsText() {
        assertEquals(ContentHash.of("<html>502</html>"), ContentHash.of(response("<html>502</html>")));
        assertNotEquals(ContentHash.of("<html>502</html>"), ContentHash.of("<html>503</html>"));
        assertEquals(ContentHash.of(""), ContentHash.of((String) null));
    }

    @Test
    void aResponseIsParsedOnceForAllItsReaders() {
        ApiResponse r = response("{\"RequestId\":\"x\",\"Data\":{}}");
        assertSame(r.json(), r.json());
        assertEquals(ContentHash.of(r.body()), ContentHash.of(r));
        assertNull(response("not json").json());
        assertEquals("empty", response(" ").parsed().problem());
    }

    @Test
    void aNumberIsHashedWithItsKind() {
        // counters are hashed as numbers, not as their text: an integer and a fraction of the same value still differ
        assertNotEquals(ContentHash.of("{\"Data\":{\"n\":1}}"), ContentHash.of("{\"Data\":{\"n\":1.0}}"));
        assertNotEquals(ContentHash.of("{\"Data\":{\"n\":1}}"), ContentHash.of("{\"Data\":{\"n\":true}}"));
        assertNotEquals(ContentHash.of("{\"Data\":{\"n\":-1}}"), ContentHash.of("{\"Data\":{\"n\":4294967295}}"));
        assertEquals(ContentHash.of("{\"Data\":{\"n\":12345678901}}"), ContentHash.of("{\"RequestId\":\"x\",\"Data\":{\"n\":12345678901}}"));
    }

    @Test
    void textsOfAnyCharactersHashAsTheyDiffer() {
        // random texts of one-, two- and three-byte characters and lone surrogates: equal texts hash equal, different
        // ones differently (the hash encodes each text without building its UTF-8 array)
        java.util.Random random = new java.util.Random(8);
        char[] alphabet = {'a', 'Z', '0', '"', '\u00e9', '\u07ff', '\u0800', '\u5168', '\ud83d', '\ude00', '\uffff'};
        java.util.Map<String, String> byText = new java.util.HashMap<>();
        java.util.Set<String> hashes = new java.util.HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(6); n > 0; n--) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            com.fasterxml.jackson.databind.node.ObjectNode tree = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            tree.putObject("Data").put("StepName", text.toString());
            String hash = ContentHash.of(tree, null);
            String before = byText.putIfAbsent(text.toString(), hash);
            if (before != null) {
                assertEquals(before, hash);
            } else {
                hashes.add(hash);
            }
        }
        assertEquals(byText.size(), hashes.size());
    }

    @Test
    void aLargeAnswerLeavesNothingBehindForTheNext() throws Exception {
        String small = "{\"Data\":{\"StepName\":\"全量迁移\",\"ProcessedRecords\":42}}";
        String first = ContentHash.of(small);
        StringBuilder large = new StringBuilder("{\"Data\":[");
        for (int i = 0; i < 20_000; i++) {
            large.append(i == 0 ? "" : ",").append("{\"Name\":\"增量同步").append(i).append("\",\"Rps\":").append(i).append('}');
        }
        String big = ContentHash.of(large.append("]}").toString());
        assertEquals(first, ContentHash.of(small));
        // and a thread of its own, whose arrays never saw the large one, gives the same hashes
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            assertEquals(first, other.submit(() -> ContentHash.of(small)).get());
            assertEquals(big, other.submit(() -> ContentHash.of(large.toString())).get());
        } finally {
            other.shutdown();
        }
    }
}
