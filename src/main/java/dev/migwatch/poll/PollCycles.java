package dev.migwatch.poll;

import dev.migwatch.provider.TaskContent;
import dev.migwatch.provider.BadResponseException;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.TaskListing;
import dev.migwatch.provider.ProviderAdapter;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Opens and closes poll cycles for the polling routes: which tasks a source has, which signed requests
 * describe a task, and what the answers amount to (a {@link TaskSnapshot} to store).
 */
public class PollCycles {
    public static final String CYCLE = "migwatchCycle";
    /** The {@link PollTarget} of the cycle under way (set by the poll-task route, used to release it). */
    public static final String TARGET = "migwatchTarget";
    private static final Logger LOG = LoggerFactory.getLogger(PollCycles.class);

    private final Map<String, SourceConfig> sources;
    private final Map<Provider, ProviderAdapter> adapters;
    private final SourceGuard guard;
    private final Clock clock;
    private final PollOutcomeLog outcomeLog = new PollOutcomeLog();
    /** Tasks whose cycle is under way, with when it started. */
    private final Map<String, Instant> inFlight = new ConcurrentHashMap<>();
    private final LongAdder busyTicks = new LongAdder();
    private final Map<String, Round> rounds = new ConcurrentHashMap<>();
    /** Per source, the tasks it watches: named ones and discovered ones. */
    private final Map<String, SourceTasks> watched = new LinkedHashMap<>();
    private final LongAdder cyclesStarted = new LongAdder();
    private final LongAdder cyclesEnded = new LongAdder();

    public PollCycles(List<SourceConfig> sources, List<ProviderAdapter> adapters, SourceGuard guard, Clock clock) {
        this.sources = sources.stream().collect(Collectors.toMap(SourceConfig::name, s -> s, (a, b) -> a, LinkedHashMap::new));
        this.adapters = adapters.stream().collect(Collectors.toMap(ProviderAdapter::provider, Function.identity()));
        this.guard = guard;
        this.clock = clock;
        for (SourceConfig s : this.sources.values()) {
            ProviderAdapter a = adapter(s);
            watched.put(s.name(), new SourceTasks(s, s.discovers() && a.listing().map(TaskListing::recordsIdleTasks).orElse(false)));
        }
    }

    public List<SourceConfig> sources() {
        return List.copyOf(sources.values());
    }

    /**
     * The tasks a source's timer polls now: its named tasks, then the discovered ones in list order, each running task
     * every round and each idle one once per idle interval ({@link SourceTasks#due}). The tasks of a source are polled
     * in rounds: a tick starts a new round only once every task of the previous round has begun its cycle, so that each task gets
     * one turn per round however long a round takes. A tick that comes while the previous round's tasks still wait
     * for a thread starts nothing new (the interval is too short for the source's load: said once, as a WARN, and
     * counted in {@link #sourceLoads()}), instead of polling again the tasks that happen to be free while the others
     * starve.
     *
     * <p>The timer does not wait for a round's cycles (so one hung task cannot hold up the others), hence a task
     * whose previous cycle is still under way when a round starts is not asked again in parallel: it gets its turn
     * at a later tick of the round, once that cycle has ended, or misses the round if it is still under way when the
     * next round starts. A hung provider sees one request per task at a time, never a pile-up.
     * Every target returned must be {@link #release released} when its cycle ends, however it ends.
     */
    public List<PollTarget> targets(@ExchangeProperty("migwatchSource") String source) {
        SourceConfig config = source(source);
        Round round = rounds.computeIfAbsent(source, s -> new Round());
        Instant now = clock.instant();
        synchronized (round) {
            round.waiting.values().removeIf(queuedAt -> queuedAt.plus(staleAfter(config)).isBefore(now)); // lost on their way
            List<PollTarget> due = new ArrayList<>();
            if (!round.waiting.isEmpty()) {
                round.overrunTicks++;
                round.overrun = true;
                // tasks of this round that were still busy with the previous round's cycle get their turn once free
                for (Iterator<String> owed = round.owed.iterator(); owed.hasNext(); ) {
                    String task = owed.next();
                    if (inFlight.putIfAbsent(source + "\n" + task, now) == null) {
                        owed.remove();
                        dispatch(round, source, task, now, due);
                    }
                }
                return due;
            }
            if (round.startedAt != null) {
                round.lastPeriod = Duration.between(round.startedAt, now);
                round.lastOverran = round.overrun;
                if (round.overrun && !round.warned) {
                    round.warned = true;
                    LOG.warn("Source {}: polling its {} tasks took {} s, longer than its interval of {} s: each task is polled every {} s "
                                    + "or so, not every {} s. Lengthen migwatch.sources.{}.interval or spread the tasks over more sources.",
                            source, round.dueTasks, seconds(round.lastPeriod), seconds(config.interval()), seconds(round.lastPeriod),
                            seconds(config.interval()), source);
                }
            }
            round.startedAt = now;
            round.overrun = false;
            round.rounds++;
            round.owed.clear(); // busy for a whole round: they missed it
            List<String> tasks = tasks(source).due(now);
            round.dueTasks = tasks.size();
            checkRate(round, config, tasks.size());
            for (String task : tasks) {
                String key = source + "\n" + task;
                if (inFlight.putIfAbsent(key, now) == null || releasedStale(key, config, now)) {
                    dispatch(round, source, task, now, due);
                } else {
                    round.owed.add(task);
                    busyTicks.increment();
                    LOG.debug("{}/{}: previous poll still under way, polled in this round once it has ended", source, task);
                }
            }
            return due;
        }
    }

    /**
     * The calls a round needs against what max-requests-per-second allows in one interval: when they do not fit, the rate
     * limit stretches the round (never a burst), and migwatch says so once.
     */
    private void checkRate(Round round, SourceConfig config, int dueTasks) {
        double needed = dueTasks * (double) adapter(config).callsPerCycle() / (config.interval().toMillis() / 1000.0);
        round.requestsPerSecondNeeded = needed;
        round.rateLimited = needed > config.maxRequestsPerSecond();
        if (round.rateLimited && !round.rateWarned) {
            round.rateWarned = true;
            double stretched = dueTasks * adapter(config).callsPerCycle() / config.maxRequestsPerSecond();
            LOG.warn("Source {}: its {} tasks due each round need about {} requests a second at an interval of {} s, more than its "
                            + "max-requests-per-second of {}: each round is stretched to about {} s instead of bursting. Raise "
                            + "migwatch.sources.{}.max-requests-per-second if the provider allows it, or lengthen the interval.",
                    config.name(), dueTasks, Math.round(needed * 10) / 10.0, seconds(config.interval()), config.maxRequestsPerSecond(),
                    Math.round(stretched), config.name());
        }
    }

    private SourceTasks tasks(String source) {
        SourceTasks t = watched.get(source);
        if (t == null) {
            throw new IllegalArgumentException("no source named '" + source + "' is configured");
        }
        return t;
    }

    private void dispatch(Round round, String source, String task, Instant now, List<PollTarget> due) {
        cyclesStarted.increment();
        round.waiting.put(task, now);
        due.add(new PollTarget(source, task));
    }

    /** A task's cycle has begun (or ended before it could): it no longer holds up the source's next round. */
    private void begun(PollTarget target) {
        Round round = rounds.get(target.source());
        if (round != null) {
            synchronized (round) {
                round.waiting.remove(target.taskId());
            }
        }
    }

    /**
     * Per source: its tasks, interval, rounds started, ticks that found the previous round not yet under way, the time
     * between the last two rounds' starts (how often each task is really polled) and whether that round overran the
     * interval. Served as GET /api/sources.
     */
    public List<Map<String, Object>> sourceLoads() {
        List<Map<String, Object>> loads = new ArrayList<>();
        for (SourceConfig config : sources.values()) {
            Round round = rounds.get(config.name());
            Map<String, Object> load = new LinkedHashMap<>();
            load.put("source", config.name());
            load.put("provider", config.provider().id());
            SourceTasks tasks = watched.get(config.name());
            load.put("tasks", tasks.size());
            load.put("idleTasks", tasks.idleCount());
            load.put("intervalMs", config.interval().toMillis());
            load.put("idleIntervalMs", config.idleInterval().toMillis());
            load.put("discovery", config.discovers());
            if (config.discovers()) {
                load.put("discoveryIntervalMs", config.discovery().interval().toMillis());
                load.put("lastListedAt", tasks.lastListedAt() == null ? null : tasks.lastListedAt().toString());
                load.put("listed", tasks.lastListed());
            }
            load.put("maxRequestsPerSecond", config.maxRequestsPerSecond());
            if (round == null) {
                load.put("rounds", 0L);
                load.put("ticksSkipped", 0L);
                load.put("lastRoundMs", null);
                load.put("intervalTooShort", false);
                load.put("requestsPerSecondNeeded", null);
                load.put("rateLimited", false);
            } else {
                synchronized (round) {
                    load.put("rounds", round.rounds);
                    load.put("ticksSkipped", round.overrunTicks);
                    load.put("lastRoundMs", round.lastPeriod == null ? null : round.lastPeriod.toMillis());
                    load.put("intervalTooShort", round.lastOverran || round.overrun);
                    load.put("requestsPerSecondNeeded", Math.round(round.requestsPerSecondNeeded * 100) / 100.0);
                    load.put("rateLimited", round.rateLimited);
                }
            }
            loads.add(load);
        }
        return loads;
    }

    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString();
    }

    /**
     * How long a cycle may take before it counts as lost: every attempt timing out, with backoff, and, under the rate
     * limit, a whole round's worth of waiting for its turn.
     */
    private Duration staleAfter(SourceConfig config) {
        long roundMillis = (long) (tasks(config.name()).size() * (double) adapter(config).callsPerCycle() * 1000 / config.maxRequestsPerSecond());
        return config.connectTimeout().plus(config.readTimeout()).multipliedBy(10).plus(config.interval().multipliedBy(10))
                .plusMillis(2 * roundMillis);
    }

    /** The current round of one source's tasks; guarded by itself. */
    private static final class Round {
        /** Tasks of the round handed to the routes whose cycle has not begun yet, with when. */
        final Map<String, Instant> waiting = new LinkedHashMap<>();
        /** Tasks of the round that were still busy with their previous cycle when it started: polled once free. */
        final Set<String> owed = new LinkedHashSet<>();
        Instant startedAt;
        Duration lastPeriod;
        long rounds;
        long overrunTicks;
        boolean overrun;
        boolean lastOverran;
        boolean warned;
        int dueTasks;
        double requestsPerSecondNeeded;
        boolean rateLimited;
        boolean rateWarned;
    }

    /**
     * A cycle far older than its calls can take (every attempt timing out, with backoff) was lost on its way,
     * not slow: its task is polled again rather than left out for good.
     */
    private boolean releasedStale(String key, SourceConfig config, Instant now) {
        Duration longest = staleAfter(config);
        Instant started = inFlight.get(key);
        if (started != null && started.plus(longest).isBefore(now) && inFlight.replace(key, started, now)) {
            LOG.warn("{}: its poll started at {} never finished; polling the task again", key.replace('\n', '/'), started);
            return true;
        }
        return false;
    }

    /** Ends a target's cycle, whatever its outcome, so the next tick polls the task again. */
    public void release(@ExchangeProperty(TARGET) PollTarget target) {
        if (target != null) {
            begun(target);
        }
        if (target != null && inFlight.remove(target.source() + "\n" + target.taskId()) != null) {
            cyclesEnded.increment();
        }
    }

    /**
     * Lets go of a finished cycle's answers and snapshot: the round's split keeps each task's exchange until the
     * round's last task is done (1,000 tasks ran out of a 96 MB heap holding a round of them). By prefix rather than
     * with removeProperties' pattern, which compiled a regular expression for every other property of every cycle
     * (2.5 % of a cycle's CPU in the engine profile).
     */
    public void letGo(Exchange exchange) {
        exchange.getProperties().keySet().removeIf(name -> name.startsWith("migwatch"));
        exchange.getMessage().setBody(null);
    }

    /** Cycles under way now (opened by a tick, not yet released). */
    public int cyclesUnderWay() {
        return inFlight.size();
    }

    /** Cycles handed to the polling routes since start. */
    public long cyclesStarted() {
        return cyclesStarted.sum();
    }

    /** Cycles that ended (stored, spooled or failed) since start. */
    public long cyclesEnded() {
        return cyclesEnded.sum();
    }

    /** Ticks in which a task was left out because its previous cycle was still under way. */
    public long busyTicks() {
        return busyTicks.sum();
    }

    /**
     * Starts a cycle (kept as an exchange property) and returns its signed requests; none when the
     * source's guard says not now, in which case the cycle is recorded as skipped.
     */
    public List<ApiRequest> open(PollTarget target, Exchange exchange) {
        begun(target);
        SourceConfig source = source(target.source());
        SourceGuard.Refusal refusal = guard.admit(source.name(), source.interval());
        Instant now = clock.instant();
        tasks(source.name()).polled(target.taskId(), now);
        ProviderAdapter adapter = adapter(source);
        List<ApiRequest> requests = refusal != null ? List.of() : adapter.requests(source, target.taskId(), now);
        exchange.setProperty(CYCLE, new PollCycle(source, target.taskId(), now, requests, refusal,
                at -> adapter.requests(source, target.taskId(), at)));
        return requests;
    }

    /**
     * A freshly signed copy of one of the cycle's requests, for another attempt: a signature carries a
     * timestamp and a nonce the provider accepts once (Alibaba answers a replayed one with SignatureNonceUsed).
     */
    public ApiRequest resign(PollCycle cycle, String api) {
        SourceConfig source = cycle.source();
        return cycle.signer().sign(clock.instant()).stream()
                .filter(r -> r.api().equals(api)).findFirst()
                .orElseThrow(() -> new IllegalStateException("adapter for " + source.provider().id() + " no longer makes a " + api + " call"));
    }

    /** True when some call of the cycle failed on its last attempt (retries are added before this is asked). */
    boolean hasFailed(PollCycle cycle) {
        return lastAttempts(cycle.responses()).stream().anyMatch(r -> !classify(cycle, r).ok());
    }

    public ApiCall classify(PollCycle cycle, ApiResponse response) {
        return adapter(cycle.source()).classify(response);
    }

    /** Classifies the answers; only a cycle whose calls all succeeded (last attempts) and mapped yields task rows. */
    public TaskSnapshot close(@ExchangeProperty(CYCLE) PollCycle cycle) {
        SourceConfig source = cycle.source();
        String provider = source.provider().id();
        if (cycle.refusal() != null) {
            ApiCall skipped = new ApiCall("cycle", 0, cycle.startedAt(), 0, null, null, "SKIPPED", cycle.refusal().code(),
                    cycle.refusal().message());
            TaskSnapshot snapshot = TaskSnapshot.failed(cycle.cycleId(), source.name(), provider, cycle.taskId(), cycle.startedAt(),
                    List.of(skipped), List.of());
            outcomeLog.log(snapshot);
            return snapshot;
        }
        ProviderAdapter adapter = adapter(source);
        List<ApiResponse> responses = cycle.responses();
        List<ApiCall> calls = new ArrayList<>();
        Map<String, RawBody> bodyByApi = new LinkedHashMap<>();
        long retryAfter = 0;
        for (ApiResponse r : responses) {
            calls.add(adapter.classify(r));
            if (r.bodyText() != null) {
                // one body per API and cycle: the last attempt's, which is the one mapped
                bodyByApi.put(r.api(), new RawBody(r.api(), ContentHash.of(r), r.contentType(), r.bodyText()));
            }
            retryAfter = Math.max(retryAfter, RetryPolicy.retryAfterMillis(r.retryAfter()));
        }
        List<RawBody> bodies = List.copyOf(bodyByApi.values());
        List<ApiResponse> last = lastAttempts(responses);
        boolean allOk = last.stream().map(ApiResponse::api).toList().containsAll(cycle.requests().stream().map(ApiRequest::api).toList())
                && last.stream().allMatch(r -> adapter.classify(r).ok());
        TaskSnapshot snapshot;
        if (allOk) {
            try {
                TaskContent content = adapter.map(source, cycle.taskId(), last);
                SourceTasks tasks = tasks(source.name());
                tasks.recorded(cycle.taskId(), adapter.idle(content.task()), cycle.startedAt());
                snapshot = new TaskSnapshot(cycle.cycleId(), source.name(), provider, cycle.taskId(), cycle.startedAt(),
                        named(content.task(), tasks.listedName(cycle.taskId())), content.steps(), content.components(), content.errors(),
                        calls, bodies, content.notReported());
            } catch (BadResponseException | RuntimeException e) {
                String api = e instanceof BadResponseException b ? b.api() : null;
                snapshot = TaskSnapshot.failed(cycle.cycleId(), source.name(), provider, cycle.taskId(), cycle.startedAt(),
                        markBadResponse(calls, api, e), bodies);
            }
        } else {
            snapshot = TaskSnapshot.failed(cycle.cycleId(), source.name(), provider, cycle.taskId(), cycle.startedAt(), calls, bodies);
        }
        guard.observe(snapshot, source.interval(), retryAfter);
        outcomeLog.log(snapshot);
        return snapshot;
    }

    /** A task whose status answer carries no name (DTS ListJobStep) is shown with the name the account's list gave it. */
    private static TaskState named(TaskState t, String listedName) {
        return t.taskName() != null || listedName == null ? t : t.withTaskName(listedName);
    }

    /** The tasks a source watches now, named and discovered; for the metrics and the API. */
    public List<String> watchedTasks(String source) {
        return tasks(source).ids();
    }

    public boolean watches(String source, String taskId) {
        SourceTasks t = watched.get(source);
        return t != null && t.watches(taskId);
    }

    SourceTasks sourceTasks(String source) {
        return tasks(source);
    }

    SourceConfig config(String source) {
        return source(source);
    }

    ProviderAdapter adapterOf(SourceConfig source) {
        return adapter(source);
    }

    SourceGuard guard() {
        return guard;
    }

    Clock clock() {
        return clock;
    }

    PollOutcomeLog outcomeLog() {
        return outcomeLog;
    }

    /**
     * The answer each API gave on its last attempt, in call order. Adapters map these only: an earlier
     * attempt that failed (a timeout, a 503 page) must not be mistaken for the task's state.
     */
    static List<ApiResponse> lastAttempts(List<ApiResponse> responses) {
        Map<String, ApiResponse> last = new LinkedHashMap<>();
        for (ApiResponse r : responses) {
            last.merge(r.api(), r, (a, b) -> b.attempt() >= a.attempt() ? b : a);
        }
        return List.copyOf(last.values());
    }

    /** A response that could not be mapped is a failed call: the poll log says why and the raw body is kept. */
    private static List<ApiCall> markBadResponse(List<ApiCall> calls, String api, Exception e) {
        String message = e instanceof BadResponseException ? e.getMessage() : "cannot map the response: " + e;
        ApiCall target = null;
        for (ApiCall c : calls) {
            if (api == null || api.equals(c.api())) {
                target = c; // the last attempt of that API
            }
        }
        ApiCall marked = target;
        LOG.debug("mapping failed", e);
        return calls.stream().map(c -> c != marked ? c : new ApiCall(c.api(), c.attempt(), c.calledAt(), c.durationMs(),
                c.httpStatus(), c.requestId(), "BAD_RESPONSE", "BadResponse", message)).toList();
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
