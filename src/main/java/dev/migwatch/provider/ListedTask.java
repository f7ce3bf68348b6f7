package dev.migwatch.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.NormalizedStatus;

import java.util.Set;

/**
 * One task as the account's list shows it.
 *
 * @param name      its display name, or its id when it has none
 * @param type      the provider's task type (OMS MIGRATION / SYNC, DTS job type, UDTS full / incremental / ...)
 * @param labels    OMS label names and ids, DTS tags as key=value
 * @param idle      finished, failed or stopped for good (see {@link ProviderAdapter#idle}): polled at the idle interval
 * @param api       the list API that showed it
 * @param entry     its list entry as received (never modified), to record an idle task from; null once dropped
 */
public record ListedTask(String taskId, String name, String rawStatus, NormalizedStatus status, String type, Set<String> labels,
                         boolean idle, String api, JsonNode entry) {
    public ListedTask {
        labels = Set.copyOf(labels);
    }

    /** The same without its entry: an OMS entry is some 10 KB, and only an idle task due for a record needs it. */
    public ListedTask withoutEntry() {
        return entry == null ? this : new ListedTask(taskId, name, rawStatus, status, type, labels, idle, api, null);
    }
}
