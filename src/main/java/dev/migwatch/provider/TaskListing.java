package dev.migwatch.provider;

import dev.migwatch.source.SourceConfig;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What migwatch needs of a provider's list API to watch a whole account ({@code tasks = *}): an optional part of the
 * provider plug-in, implemented beside its {@link ProviderAdapter}. Listing pages through to the end; the filters of
 * {@code discover.*} are applied by migwatch on what the pages hold.
 */
public interface TaskListing {

    /** The list calls that together show the account's tasks (DTS lists one job type a call), each paged to its end. */
    List<ListQuery> queries(SourceConfig source);

    /** The signed request for page {@code page} (0 for the first) of one query. */
    ApiRequest pageRequest(SourceConfig source, ListQuery query, int page, Instant now);

    /** The tasks of one page whose call succeeded, and whether it was the last. */
    ListedPage readPage(ListQuery query, ApiResponse response) throws BadResponseException;

    /**
     * What a status cycle would have recorded of an idle task, from its list entry alone (empty when the list says
     * too little), with the parts the entry does not cover in {@link TaskContent#notReported()}.
     */
    Optional<TaskContent> content(ListedTask task) throws BadResponseException;

    /** Whether {@link #content} records idle tasks, so that they need no calls of their own. */
    default boolean recordsIdleTasks() {
        return true;
    }

    /** One list call, paged: its API and the task type it asks for (null: all). */
    record ListQuery(String api, String type) {
    }

    /** The tasks of one page; {@code last} when no page follows (a page shorter than asked). */
    record ListedPage(List<ListedTask> tasks, boolean last) {
        public ListedPage {
            tasks = List.copyOf(tasks);
        }
    }
}
