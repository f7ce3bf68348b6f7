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
}
