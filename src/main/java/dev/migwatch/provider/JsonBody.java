package dev.migwatch.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A response body and its JSON tree, parsed once however many readers ask: the classification, the mapping and the
 * raw-body hash of a cycle all read the same answer, and parsing it was the largest single cost of a cycle in the
 * engine profile (README, "Engine against the peers"). Readers must not modify the tree (mappers copy what they edit).
 */
public final class JsonBody {
    private final String text;
    private volatile boolean parsed;
    private JsonNode tree;
    private String problem;

    public JsonBody(String text) {
        this.text = text;
    }

    /** The tree; null when the body is empty or not JSON (then {@link #problem()} says why). */
    public JsonNode tree() {
        if (!parsed) {
            synchronized (this) {
                if (!parsed) {
                    parse();
                    parsed = true;
                }
            }
        }
        return tree;
    }

    /** Why there is no tree: "empty", or the JSON parser's message. Null when the body is JSON. */
    public String problem() {
        tree();
        return problem;
    }

    private void parse() {
        if (text == null || text.isBlank()) {
            problem = "empty";
            return;
        }
        try {
            tree = Json.parse(text);
            if (tree == null) {
                problem = "empty";
            }
        } catch (JsonProcessingException e) {
            problem = e.getOriginalMessage();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonBody b && java.util.Objects.equals(text, b.text);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(text);
    }

    @Override
    public String toString() {
        return "JsonBody[" + (text == null ? 0 : text.length()) + " chars]";
    }
}
