package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.dts.DtsAdapter;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.Json;
import dev.migwatch.provider.ProviderAdapter;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.udts.UdtsAdapter;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The detail JSON stored in the task, step and component rows changes with what the task does, not at every poll: a
 * change rewrites the wide row (and on PostgreSQL leaves its old version behind while any transaction may still see it).
 * Every scenario of the three simulated providers, through its whole life (30,000 simulated seconds, a poll every 30 s),
 * mapped by the real adapters: no task, step or component may change its detail, while its status stays, at more than a
 * few of its 1,000 polls (a change of status, such as a failure episode's, may come with new detail).
 * Before, an OMS store's EndCheckpoint, Gmt and GmtModified, the other components' GmtModify, a project's
 * IncrSyncTimestamp, a running DTS step's ModifyTime and a UDTS sync's binlog position changed it at nearly every poll.
 */
class StoredDetailTest {
    private static final Instant EPOCH = Instant.parse("2026-06-01T00:00:00Z");
    private static final int POLLS = 1_000;
    private static final int INTERVAL = 30;
    /** Phase changes within one status (the log pull starts, incremental monitoring begins, acceleration advised), no more. */
    private static final int MOST_CHANGES = 3;

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void noDetailChangesAtEveryPollOfAnyScenario() throws Exception {
        SimulatorSettings settings = SimulatorSettings.defaults();
        for (OmsScenario s : OmsScenario.values()) {
            settings = settings.withOmsProject("np_" + s, s);
        }
        for (DtsScenario s : DtsScenario.values()) {
            settings = settings.withDtsJob("dts" + s, s);
        }
        for (UdtsScenario s : UdtsScenario.values()) {
            settings = settings.withUdtsTask("udts-" + s, s);
        }
        SimClock clock = new SimClock(EPOCH, 1.0, nanos::get);
        SimTasks tasks = new SimTasks(settings, clock);
        OmsSimulation oms = new OmsSimulation(settings, clock, tasks);
        DtsSimulation dts = new DtsSimulation(settings, clock, tasks);
        UdtsSimulation udts = new UdtsSimulation(settings, clock, tasks);
        List<String> problems = new ArrayList<>();
        for (OmsScenario s : OmsScenario.values()) {
            String id = "np_" + s;
            problems.addAll(changes(new OmsAdapter(), Provider.OMS, id, () -> {
                Map<String, String> bodies = new LinkedHashMap<>();
                bodies.put("DescribeProject", oms.describeProject(id).toString());
                bodies.put("DescribeProjectSteps", oms.describeProjectSteps(id).toString());
                bodies.put("DescribeProjectComponents", oms.describeProjectComponents(id).toString());
                return bodies;
            }));
        }
        for (DtsScenario s : DtsScenario.values()) {
            String id = "dts" + s;
            problems.addAll(changes(new DtsAdapter(), Provider.DTS, id, () -> Map.of("ListJobStep", dts.listJobStep(id).toString())));
        }
        for (UdtsScenario s : UdtsScenario.values()) {
            String id = "udts-" + s;
            problems.addAll(changes(new UdtsAdapter(), Provider.UDTS, id, () -> Map.of("GetUDTSTaskStatus", udts.status(id).toString())));
        }
        assertTrue(problems.isEmpty(), "details that change at many polls of one status (the fields that changed, and how often):\n  "
                + String.join("\n  ", problems));
    }

    /** For each task, step and component whose detail changed with its status at more than MOST_CHANGES polls: the fields that did. */
    private List<String> changes(ProviderAdapter adapter, Provider provider, String id, Supplier<Map<String, String>> answers)
            throws Exception {
        SourceConfig source = new SourceConfig("sim", provider, URI.create("https://example.invalid"), "cn-hangzhou", List.of(id),
                Duration.ofSeconds(INTERVAL), "id", Secret.of("s"), null,
                provider == Provider.UDTS ? null : SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(5), Duration.ofSeconds(10));
        Map<String, List<String>> previous = new HashMap<>();
        Map<String, Integer> changed = new TreeMap<>();
        Map<String, Map<String, Integer>> fields = new HashMap<>();
        for (int p = 0; p < POLLS; p++) {
            nanos.set((long) p * INTERVAL * 1_000_000_000L);
            Instant at = EPOCH.plusSeconds((long) p * INTERVAL);
            List<ApiResponse> responses = new ArrayList<>();
            answers.get().forEach((api, body) -> responses.add(new ApiResponse(api, 1, at, 40, 200, "application/json", null, body, null)));
            TaskContent c = adapter.map(source, id, responses);
            // each entity's status and detail
            Map<String, List<String>> now = new LinkedHashMap<>();
            now.put("task", Arrays.asList(c.task().rawStatus(), c.task().detailJson()));
            c.steps().forEach(st -> now.put("step " + st.stepKey(), Arrays.asList(st.rawStatus(), st.detailJson())));
            c.components().forEach(k -> now.put("component " + k.kind() + "/" + k.name(), Arrays.asList(k.rawStatus(), k.detailJson())));
            for (Map.Entry<String, List<String>> e : now.entrySet()) {
                List<String> before = previous.get(e.getKey());
                if (before != null && Objects.equals(before.get(0), e.getValue().get(0)) && !Objects.equals(before.get(1), e.getValue().get(1))) {
                    changed.merge(e.getKey(), 1, Integer::sum);
                    for (String f : differing(before.get(1), e.getValue().get(1))) {
                        fields.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).merge(f, 1, Integer::sum);
                    }
                }
                previous.put(e.getKey(), e.getValue());
            }
        }
        List<String> problems = new ArrayList<>();
        changed.forEach((entity, n) -> {
            if (n > MOST_CHANGES) {
                problems.add(id + " " + entity + ": " + n + " of " + POLLS + " polls " + fields.get(entity));
            }
        });
        return problems;
    }

    private static Set<String> differing(String a, String b) throws Exception {
        Set<String> out = new TreeSet<>();
        differing("", a == null ? null : Json.parse(a), b == null ? null : Json.parse(b), out);
        return out;
    }

    private static void differing(String path, JsonNode a, JsonNode b, Set<String> out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                differing(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), out);
            }
        } else if (!Objects.equals(a, b)) {
            out.add(path);
        }
    }
}
