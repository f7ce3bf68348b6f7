package dev.migwatch.history;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What one successful listing of a source's account changed in the tasks it watches, for the task table.
 *
 * @param listed the tasks the list showed that the source watches
 * @param gone   the discovered tasks the source stops watching, and why
 */
public record ListedTasks(String source, Instant listedAt, Set<String> listed, Map<String, GoneReason> gone) {
    public ListedTasks {
        listed = Set.copyOf(listed);
        gone = Map.copyOf(gone);
    }
}
