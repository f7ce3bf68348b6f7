package dev.migwatch.poll;

import dev.migwatch.provider.ListedTask;
import dev.migwatch.history.GoneReason;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.source.Discovery;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which tasks a source watches and when each is due, from listings and polls. */
class SourceTasksTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LISTING = Duration.ofMinutes(5);

    static SourceConfig source(List<String> named) {
        return new SourceConfig("s", Provider.OMS, URI.create("http://127.0.0.1:1"), "cn-hangzhou", named, Duration.ofSeconds(30), "id",
                Secret.of("x"), null, SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(1), Duration.ofSeconds(1),
                new Discovery(LISTING, Set.of(), List.of(), Set.of(), Set.of()), 10, IDLE);
    }

    static ListedTask listed(String id, NormalizedStatus status) {
        return new ListedTask(id, id, status.name(), status, "MIGRATION", Set.of(), status == NormalizedStatus.FINISHED, "ListProjects", null);
    }

    static Set<String> ids(List<ListedTask> tasks) {
        return tasks.stream().map(ListedTask::taskId).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void aTaskMissingFromTwoListingsInARowIsGoneOneFilteredOutAtOnce() {
        SourceTasks tasks = new SourceTasks(source(List.of("named")), true);
        List<ListedTask> all = List.of(listed("a", NormalizedStatus.RUNNING), listed("b", NormalizedStatus.RUNNING),
                listed("c", NormalizedStatus.RUNNING));
        SourceTasks.Changes first = tasks.apply(all, ids(all), Set.of(), T0);
        assertEquals(Set.of("a", "b", "c"), first.added());
        assertEquals(List.of("named", "a", "b", "c"), tasks.due(T0));

        // b is not listed once (a page shifted by a deletion elsewhere can hide a task): still watched
        List<ListedTask> withoutB = List.of(all.get(0), all.get(2));
        SourceTasks.Changes second = tasks.apply(withoutB, Set.of("a"), Set.of(), T0.plus(LISTING));
        assertEquals(Map.of("c", GoneReason.FILTERED), second.gone(), "c is listed but no longer kept: gone at once");
        assertTrue(tasks.watches("b"));
        SourceTasks.Changes third = tasks.apply(withoutB, Set.of("a"), Set.of(), T0.plus(LISTING.multipliedBy(2)));
        assertEquals(Map.of("b", GoneReason.DELETED), third.gone());
        assertEquals(List.of("named", "a"), tasks.due(T0.plus(LISTING.multipliedBy(2))), "a named task never goes");

        // listed again: back
        assertEquals(Set.of("b"), tasks.apply(all, Set.of("a", "b"), Set.of(), T0.plus(LISTING.multipliedBy(3))).added());
    }

    @Test
    void tasksTheDatabaseStillCountsAsWatchedGoWhenNoLongerListed() {
        SourceTasks tasks = new SourceTasks(source(List.of()), true);
        List<ListedTask> now = List.of(listed("a", NormalizedStatus.RUNNING));
        // "old" was discovered before a restart and deleted while migwatch was down
        assertEquals(Map.of(), tasks.apply(now, Set.of("a"), Set.of("old"), T0).gone());
        assertEquals(Map.of("old", GoneReason.DELETED), tasks.apply(now, Set.of("a"), Set.of("old"), T0.plus(LISTING)).gone());
    }

    @Test
    void idleTasksAreRecordedFromTheListOncePerIdleIntervalAndBackAtFullRateWhenRunning() {
        SourceTasks tasks = new SourceTasks(source(List.of()), true);
        List<ListedTask> list = List.of(listed("done", NormalizedStatus.FINISHED), listed("run", NormalizedStatus.RUNNING));
        SourceTasks.Changes first = tasks.apply(list, ids(list), Set.of(), T0);
        assertEquals(Set.of("done"), ids(first.toRecord()), "a new idle task is recorded from its entry at once");
        assertEquals(List.of("run"), tasks.due(T0.plusSeconds(30)), "and not polled by the rounds");
        assertTrue(ids(tasks.apply(list, ids(list), Set.of(), T0.plus(LISTING)).toRecord()).isEmpty(), "not again within the idle interval");
        assertEquals(Set.of("done"), ids(tasks.apply(list, ids(list), Set.of(), T0.plus(IDLE)).toRecord()), "again after it");

        List<ListedTask> running = List.of(listed("done", NormalizedStatus.RUNNING), listed("run", NormalizedStatus.RUNNING));
        assertTrue(tasks.apply(running, ids(running), Set.of(), T0.plus(IDLE).plusSeconds(1)).toRecord().isEmpty());
        assertEquals(List.of("done", "run"), tasks.due(T0.plus(IDLE).plusSeconds(2)), "running again: every round");
    }

    @Test
    void idleTasksTheListCannotRecordArePolledOncePerIdleInterval() {
        SourceTasks tasks = new SourceTasks(source(List.of("u1", "u2")), false);
        tasks.polled("u1", T0);
        tasks.recorded("u1", true, T0);
        tasks.polled("u2", T0);
        tasks.recorded("u2", false, T0);
        assertEquals(List.of("u2"), tasks.due(T0.plusSeconds(30)));
        assertEquals(List.of("u2"), tasks.due(T0.plus(IDLE).minusSeconds(1)));
        assertEquals(List.of("u1", "u2"), tasks.due(T0.plus(IDLE)));
        assertEquals(1, tasks.idleCount());
        assertFalse(tasks.mayRecord("u1", T0.plus(IDLE)), "a source whose list cannot record keeps no entry");
    }
}
