package dev.migwatch.poll;

import dev.migwatch.provider.Json;
import dev.migwatch.provider.ListedTask;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.provider.BadResponseException;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.TaskListing;
import dev.migwatch.provider.ProviderAdapter;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.BodyText;
import dev.migwatch.history.ListedTasks;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.provider.TaskListing.ListQuery;
import dev.migwatch.provider.TaskListing.ListedPage;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Lists the account of a source whose {@code tasks} contain {@code *}, for the discovery route: page after page of
 * each list query (each page an ordinary signed call, retried and rate-limited like the status calls), then which
 * tasks the source watches from now on, which it no longer watches, and the idle tasks recorded from their entry.
 * A listing that fails on any page changes nothing: the last known list stays, and the failure goes to the poll log
 * under the task id {@code *}.
 */
public class TaskDiscovery {
    /** The {@link Listing} under way (null: this refresh was skipped). */
    public static final String LISTING = "migwatchListing";
    /** True while the listing has pages to fetch. */
    public static final String MORE_PAGES = "migwatchMorePages";
    /** The task id under which a source's failed listings are logged in the poll log. */
    public static final String LIST_TASK_ID = "*";
    /** Pages of one query at most: a provider that never sends a short page must not keep a refresh going for ever. */
    static final int MAX_PAGES = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(TaskDiscovery.class);

    private final PollCycles cycles;

    public TaskDiscovery(PollCycles cycles) {
        this.cycles = cycles;
    }

    /** One refresh of a source's list while it runs; travels as an exchange property. */
    public static final class Listing {
        final SourceConfig source;
        final TaskListing lister;
        final List<ListQuery> queries;
        final Instant startedAt;
        final List<ListedTask> shown = new ArrayList<>();
        int query;
        int page;
        int calls;
        PollCycle failed;
        /** Why the failed page could not be read, when its call itself succeeded. */
        String unreadable;
        List<ListedTask> toRecord = List.of();
        Instant listedAt;

        Listing(SourceConfig source, TaskListing lister, Instant startedAt) {
            this.source = source;
            this.lister = lister;
            this.queries = lister.queries(source);
            this.startedAt = startedAt;
        }

        public boolean failed() {
            return failed != null;
        }
    }

    /**
     * Starts a refresh: the first page's request becomes the body. Nothing is listed while the source is paused
     * (throttled, refused credentials) or its breaker is open: the last known list stays.
     */
    public void begin(@ExchangeProperty("migwatchSource") String source, Exchange exchange) {
        SourceConfig config = cycles.config(source);
        SourceGuard.Refusal refusal = cycles.guard().admit(config.name(), config.interval());
        if (refusal != null) {
            LOG.debug("Source {}: not listed now: {}", source, refusal.message());
            exchange.setProperty(LISTING, null);
            exchange.setProperty(MORE_PAGES, false);
            return;
        }
        TaskListing lister = cycles.adapterOf(config).listing().orElseThrow(() -> new IllegalStateException(
                "source " + config.name() + ": provider " + config.provider() + " has no list API, so tasks = * cannot be watched"));
        Listing listing = new Listing(config, lister, cycles.clock().instant());
        exchange.setProperty(LISTING, listing);
        nextPage(listing, exchange);
    }

    private void nextPage(Listing listing, Exchange exchange) {
        ListQuery query = listing.queries.get(listing.query);
        int page = listing.page;
        SourceConfig source = listing.source;
        Instant now = cycles.clock().instant();
        ApiRequest request = listing.lister.pageRequest(source, query, page, now);
        exchange.setProperty(PollCycles.CYCLE, new PollCycle(source, LIST_TASK_ID, now, List.of(request), null,
                at -> List.of(listing.lister.pageRequest(source, query, page, at))));
        exchange.setProperty(MORE_PAGES, true);
        exchange.getMessage().setBody(request);
    }

    /** A page's call has ended (after its retries): read it, then ask for the next page, or end the listing. */
    public void page(@ExchangeProperty(LISTING) Listing listing, @ExchangeProperty(PollCycles.CYCLE) PollCycle cycle, Exchange exchange) {
        ProviderAdapter adapter = cycles.adapterOf(listing.source);
        List<ApiResponse> last = PollCycles.lastAttempts(cycle.responses());
        listing.calls += (int) cycle.responses().stream().filter(r -> r.attempt() > 0).count();
        if (last.isEmpty() || !adapter.classify(last.get(0)).ok()) {
            listing.failed = cycle;
            exchange.setProperty(MORE_PAGES, false);
            return;
        }
        ListQuery query = listing.queries.get(listing.query);
        ListedPage page;
        try {
            page = listing.lister.readPage(query, last.get(0));
        } catch (BadResponseException | RuntimeException e) {
            LOG.debug("listing page unreadable", e);
            listing.failed = cycle;
            listing.unreadable = e instanceof BadResponseException ? e.getMessage() : "cannot read the list page: " + e;
            exchange.setProperty(MORE_PAGES, false);
            return;
        }
        SourceTasks tasks = cycles.sourceTasks(listing.source.name());
        Instant now = cycles.clock().instant();
        for (ListedTask t : page.tasks()) {
            // an entry is kept only when it may be recorded: a whole account's entries would weigh megabytes
            listing.shown.add(t.idle() && tasks.mayRecord(t.taskId(), now) ? t : t.withoutEntry());
        }
        if (!page.last() && listing.page + 1 < MAX_PAGES) {
            listing.page++;
        } else if (listing.query + 1 < listing.queries.size()) {
            listing.query++;
            listing.page = 0;
        } else {
            exchange.setProperty(MORE_PAGES, false);
            return;
        }
        nextPage(listing, exchange);
    }

    /** True when a listing ran and failed. */
    public boolean failed(@ExchangeProperty(LISTING) Listing listing) {
        return listing != null && listing.failed();
    }

    /**
     * The failed listing as a poll of the source's pseudo-task {@code *}, for the poll log: the failing page's calls and
     * its last answer. The source's guard hears of it as of a failed cycle (a throttled list pauses the source).
     */
    public TaskSnapshot failure(@ExchangeProperty(LISTING) Listing listing) {
        PollCycle cycle = listing.failed;
        ProviderAdapter adapter = cycles.adapterOf(listing.source);
        List<ApiCall> calls = new ArrayList<>();
        RawBody body = null;
        long retryAfter = 0;
        for (ApiResponse r : cycle.responses()) {
            calls.add(adapter.classify(r));
            if (r.bodyText() != null) {
                body = new RawBody(r.api(), ContentHash.of(r), r.contentType(), r.bodyText());
            }
            retryAfter = Math.max(retryAfter, RetryPolicy.retryAfterMillis(r.retryAfter()));
        }
        if (listing.unreadable != null && !calls.isEmpty()) {
            ApiCall c = calls.remove(calls.size() - 1);
            calls.add(new ApiCall(c.api(), c.attempt(), c.calledAt(), c.durationMs(), c.httpStatus(), c.requestId(), "BAD_RESPONSE",
                    "BadResponse", listing.unreadable));
        }
        TaskSnapshot snapshot = TaskSnapshot.failed(cycle.cycleId(), listing.source.name(), listing.source.provider().id(), LIST_TASK_ID,
                cycle.startedAt(), calls, body == null ? List.of() : List.of(body));
        cycles.guard().observe(snapshot, listing.source.interval(), retryAfter);
        cycles.outcomeLog().log(snapshot);
        return snapshot;
    }

    /**
     * Applies a complete listing to the tasks the source watches.
     *
     * @param known the discovered tasks the history database still counts as watched (null when it cannot say)
     */
    public ListedTasks apply(@ExchangeProperty(LISTING) Listing listing, Set<String> known) {
        SourceConfig source = listing.source;
        Instant at = cycles.clock().instant();
        cycles.guard().listed(source.name(), source.interval(), listing.startedAt);
        Map<String, ListedTask> unique = new LinkedHashMap<>();
        listing.shown.forEach(t -> unique.putIfAbsent(t.taskId(), t)); // a page shifted by a change may repeat a task
        Set<String> kept = new LinkedHashSet<>();
        for (ListedTask t : unique.values()) {
            if (source.discovery().accepts(t.name(), t.rawStatus(), t.status().name(), t.type(), t.labels())) {
                kept.add(t.taskId());
            }
        }
        SourceTasks tasks = cycles.sourceTasks(source.name());
        int before = tasks.size();
        SourceTasks.Changes changes = tasks.apply(List.copyOf(unique.values()), kept, known == null ? Set.of() : known, at);
        listing.toRecord = changes.toRecord();
        listing.listedAt = at;
        if (!changes.added().isEmpty() || !changes.gone().isEmpty()) {
            LOG.info("Source {}: the account lists {} tasks, {} kept by discover.*; {} new, {} no longer watched {}; {} watched (was {})",
                    source.name(), unique.size(), kept.size(), changes.added().size(), changes.gone().size(),
                    changes.gone().isEmpty() ? "" : changes.gone(), tasks.size(), before);
        } else {
            LOG.debug("Source {}: listed {} tasks in {} calls and {} ms, nothing changed", source.name(), unique.size(), listing.calls,
                    java.time.Duration.between(listing.startedAt, at).toMillis());
        }
        return new ListedTasks(source.name(), at, changes.listed(), changes.gone());
    }

    /**
     * The idle tasks due for a record, made from their list entries: no call of their own. Each keeps its entry as its
     * raw answer and leaves what the entry does not cover as stored.
     */
    public List<TaskSnapshot> records(@ExchangeProperty(LISTING) Listing listing) {
        SourceConfig source = listing.source;
        ProviderAdapter adapter = cycles.adapterOf(source);
        SourceTasks tasks = cycles.sourceTasks(source.name());
        List<TaskSnapshot> out = new ArrayList<>();
        for (ListedTask t : listing.toRecord) {
            try {
                TaskContent content = listing.lister.content(t).orElse(null);
                if (content == null) {
                    tasks.recordFailed(t.taskId());
                    continue;
                }
                tasks.recorded(t.taskId(), adapter.idle(content.task()), listing.listedAt);
                BodyText entry = BodyText.of(Json.json(t.entry()));
                // attempt 0: no call of its own (poll.calls counts none); the list entry is its raw answer
                ApiCall fromList = new ApiCall(t.api(), 0, listing.listedAt, 0, 200, null, "OK", null, null);
                TaskSnapshot s = new TaskSnapshot(UUID.randomUUID().toString(), source.name(), source.provider().id(), t.taskId(),
                        listing.listedAt, content.task(), content.steps(), content.components(), content.errors(),
                        List.of(fromList), List.of(new RawBody(t.api(), ContentHash.of(t.entry(), entry), "application/json", entry)),
                        content.notReported());
                cycles.outcomeLog().log(s);
                out.add(s);
            } catch (BadResponseException | RuntimeException e) {
                LOG.debug("{}/{}: its list entry cannot be recorded ({}); it is polled instead", source.name(), t.taskId(), e.getMessage());
                tasks.recordFailed(t.taskId());
            }
        }
        return out;
    }
}
