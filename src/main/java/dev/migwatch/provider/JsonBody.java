package dev.migwatch.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.BodyText;

/**
 * A response body and its JSON tree, parsed once however many readers ask: the classification, the mapping and the
 * raw-body hash of a cycle all read the same answer, and parsing it was the largest single cost of a cycle in the
 * engine profile (README, "Engine against the peers"). Readers must not modify the tree (mappers copy what they edit).
 * The tree is parsed from the body's UTF-8 bytes as received ({@link BodyText}), not from a decoded String.
 */
public final class JsonBody {
    private final BodyText body;
    private volatile boolean parsed;
    private JsonNode tree;
    private String problem;

    public JsonBody(String text) {
        this(BodyText.of(text));
    }

    public JsonBody(BodyText body) {
        this.body = body;
    }

    /** The body, null when no answer came. */
    public BodyText body() {
        return body;
    }

    /** The body's text (decoded now if it came as bytes), null when no answer came. */
    public String text() {
        return body == null ? null : body.text();
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
        if (body == null || body.isBlank()) {
            problem = "empty";
            return;
        }
        try {
            tree = Json.parse(body.utf8());
            if (tree == null) {
                problem = "empty";
            }
        } catch (JsonProcessingException e) {
            problem = e.getOriginalMessage();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonBody b && java.util.Objects.equals(body, b.body);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(body);
    }

    @Override
    public String toString() {
        return "JsonBody[" + (body == null ? 0 : body.utf8().length) + " bytes]";
    }
}
