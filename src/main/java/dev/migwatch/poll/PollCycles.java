package dev.migwatch.poll;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Opens and closes poll cycles for the polling routes: which tasks a source has, which signed requests
 * describe a task, and what the answers amount to (a {@link TaskSnapshot} to store).
 */
public class PollCycles {
    public static final String CYCLE = "migwatchCycle";
    private static final Logger LOG = LoggerFactory.getLogger(PollCycles.class);

    private final Map<String, SourceConfig> sources;
    private final Map<Provider, ProviderAdapter> adapters;
    private final Clock clock;
    private final PollOutcomeLog outcomeLog = new PollOutcomeLog();

    public PollCycles(List<SourceConfig> sources, List<ProviderAdapter> adapters, Clock clock) {
        this.sources = sources.stream().collect(Collectors.toMap(SourceConfig::name, s -> s, (a, b) -> a, LinkedHashMap::new));
        this.adapters = adapters.stream().collect(Collectors.toMap(ProviderAdapter::provider, Function.identity()));
        this.clock = clock;
    }

    public List<SourceConfig> sources() {
        return List.copyOf(sources.values());
    }

    /** The tasks a source's timer polls, in configured order. */
    public List<PollTarget> targets(@ExchangeProperty("migwatchSource") String source) {
        return source(source).tasks().stream().map(t -> new PollTarget(source, t)).toList();
    }

    /** Starts a cycle (kept as an exchange property) and returns its signed requests. */
    public List<ApiRequest> open(PollTarget target, Exchange exchange) {
        SourceConfig source = source(target.source());
        List<ApiRequest> requests = adapter(source).requests(source, target.taskId(), clock.instant());
        PollCycle cycle = new PollCycle(source, target.taskId(), clock.instant(), requests);
        exchange.setProperty(CYCLE, cycle);
        return requests;
    }

    /** Classifies the answers; only a cycle whose calls all succeeded and mapped yields task rows. */
    public TaskSnapshot close(@ExchangeProperty(CYCLE) PollCycle cycle) {
        SourceConfig source = cycle.source();
        ProviderAdapter adapter = adapter(source);
        List<ApiResponse> responses = cycle.responses();
        List<ApiCall> calls = new ArrayList<>();
        List<RawBody> bodies = new ArrayList<>();
        for (ApiResponse r : responses) {
            calls.add(adapter.classify(r));
            if (r.body() != null) {
                bodies.add(new RawBody(r.api(), ContentHash.of(r.body()), r.contentType(), r.body()));
            }
        }
        String provider = source.provider().id();
        boolean allOk = !calls.isEmpty() && calls.stream().allMatch(ApiCall::ok) && answeredAll(cycle, calls);
        TaskSnapshot snapshot;
        if (allOk) {
            try {
                TaskContent content = adapter.map(source, cycle.taskId(), responses);
                snapshot = new TaskSnapshot(cycle.cycleId(), source.name(), provider, cycle.taskId(), cycle.startedAt(),
                        content.task(), content.steps(), content.components(), content.errors(), calls, bodies);
            } catch (BadResponseException | RuntimeException e) {
                String api = e instanceof BadResponseException b ? b.api() : null;
                calls = markBadResponse(calls, api, e);
                snapshot = TaskSnapshot.failed(cycle.cycleId(), source.name(), provider, cycle.taskId(), cycle.startedAt(), calls, bodies);
            }
        } else {
            snapshot = TaskSnapshot.failed(cycle.cycleId(), source.name(), provider, cycle.taskId(), cycle.startedAt(), calls, bodies);
        }
        outcomeLog.log(snapshot);
        return snapshot;
    }

    private static boolean answeredAll(PollCycle cycle, List<ApiCall> calls) {
        return calls.stream().map(ApiCall::api).collect(Collectors.toSet())
                .containsAll(cycle.requests().stream().map(ApiRequest::api).toList());
    }

    /** A response that could not be mapped is a failed call: the poll log says why and the raw body is kept. */
    private static List<ApiCall> markBadResponse(List<ApiCall> calls, String api, Exception e) {
        String message = e instanceof BadResponseException ? e.getMessage() : "cannot map the response: " + e;
        List<ApiCall> marked = new ArrayList<>();
        boolean done = false;
        for (ApiCall c : calls) {
            if (!done && (api == null || api.equals(c.api()))) {
                marked.add(new ApiCall(c.api(), c.attempt(), c.calledAt(), c.durationMs(), c.httpStatus(), c.requestId(),
                        "BAD_RESPONSE", "BadResponse", message));
                done = true;
            } else {
                marked.add(c);
            }
        }
        LOG.debug("mapping failed", e);
        return marked;
    }

    private SourceConfig source(String name) {
        SourceConfig s = sources.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no source named '" + name + "' is configured");
        }
        return s;
    }

    private ProviderAdapter adapter(SourceConfig source) {
        ProviderAdapter a = adapters.get(source.provider());
        if (a == null) {
            throw new IllegalStateException("no adapter for provider " + source.provider().id());
        }
        return a;
    }
}
