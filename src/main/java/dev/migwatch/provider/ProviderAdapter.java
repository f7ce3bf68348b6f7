package dev.migwatch.provider;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.TaskState;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SourceConfig;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What migwatch needs to know about one provider's task-status API. One implementation per provider
 * package; the routes and the poll cycle are the same for all of them.
 */
public interface ProviderAdapter {

    Provider provider();

    /** The signed requests that together describe one task (OMS needs three, DTS and UDTS one). */
    List<ApiRequest> requests(SourceConfig source, String taskId, Instant now);

    /**
     * Turns one response into its poll-log row: OK, or the failure class with the provider's code and
     * message. Alibaba reports errors with HTTP 4xx/5xx, UCloud with HTTP 200 and a non-zero RetCode.
     */
    ApiCall classify(ApiResponse response);

    /** Maps the responses of a cycle whose calls were all OK. */
    TaskContent map(SourceConfig source, String taskId, List<ApiResponse> responses) throws BadResponseException;

    /**
     * A task that will not change by itself: finished, failed or stopped. It is polled at the source's idle interval
     * until a poll or the account's list shows it running again. A provider whose failed tasks retry by themselves
     * says so here.
     */
    default boolean idle(TaskState task) {
        return idle(task.status());
    }

    static boolean idle(NormalizedStatus status) {
        return status == NormalizedStatus.FINISHED || status == NormalizedStatus.FAILED || status == NormalizedStatus.STOPPED;
    }

    /** The provider's list API, for sources that watch a whole account ({@code tasks = *}); empty if it has none. */
    default Optional<TaskListing> listing() {
        return Optional.empty();
    }

    /** The HTTP calls one status cycle of a task makes (OMS three, DTS and UDTS one): what a round costs. */
    default int callsPerCycle() {
        return 1;
    }
}
