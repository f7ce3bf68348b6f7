package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.simulator.SimTasks.SimTask;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SignatureMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The list APIs of the three providers as the simulator serves them: paging, filters, limits, and a changing account. */
class SimulatorListTest {
    ProviderSimulator sim;
    SimClient client;

    @BeforeEach
    void start() throws Exception {
        sim = new ProviderSimulator(SimulatorSettings.defaults().withSpeed(60), 0).start();
        client = new SimClient(sim);
    }

    @AfterEach
    void stop() {
        sim.stop();
    }

    @Test
    void listProjectsPagesUpTo150AndRefusesMore() throws Exception {
        for (int i = 0; i < 320; i++) {
            sim.tasks().add(SimTask.oms(String.format("np_p%03d", i), OmsScenario.FULL_THEN_INCREMENTAL));
        }
        Set<String> seen = new HashSet<>();
        List<Integer> sizes = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            JsonNode body = SimClient.json(client.list(Provider.OMS, Map.of("PageNumber", "" + page, "PageSize", "150")));
            assertTrue(body.get("Success").asBoolean());
            assertEquals(320, body.get("TotalCount").asInt());
            sizes.add(body.get("Data").size());
            body.get("Data").forEach(p -> seen.add(p.get("Id").asText()));
        }
        assertEquals(List.of(150, 150, 20), sizes);
        assertEquals(320, seen.size());
        // newest first: the last one created heads the first page
        assertEquals("np_p319", SimClient.json(client.list(Provider.OMS, Map.of("PageSize", "1"))).get("Data").get(0).get("Id").asText());

        HttpResponse<String> tooBig = client.list(Provider.OMS, Map.of("PageSize", "151"));
        assertEquals(400, tooBig.statusCode());
        assertEquals("InvalidParameter", SimClient.json(tooBig).get("Code").asText());
        assertEquals(10, SimClient.json(client.list(Provider.OMS, Map.of())).get("Data").size(), "documented default page size");
    }

    @Test
    void listProjectsEntriesCarryStatusStepsAndDelayAndFilter() throws Exception {
        sim.tasks().add(SimTask.oms("np_run", OmsScenario.FULL_THEN_INCREMENTAL).named("orders-eu").labelled("prod"));
        sim.tasks().add(SimTask.oms("np_done", OmsScenario.FULL_ONLY).aged(Duration.ofDays(1)).labelled("prod", "archive"));
        sim.tasks().add(SimTask.oms("np_sync", OmsScenario.FULL_THEN_INCREMENTAL).typed("SYNC").aged(Duration.ofDays(1)));

        JsonNode all = SimClient.json(client.list(Provider.OMS, Map.of("PageSize", "150"))).get("Data");
        assertEquals(3, all.size());
        JsonNode done = entry(all, "Id", "np_done");
        assertEquals("FINISHED", done.get("Status").asText());
        assertTrue(done.get("Steps").size() > 0);
        done.get("Steps").forEach(s -> assertEquals("FINISHED", s.get("Status").asText(), s.toString()));
        assertTrue(done.hasNonNull("GmtFinish"));
        JsonNode sync = entry(all, "Id", "np_sync");
        assertEquals("RUNNING", sync.get("Status").asText());
        assertTrue(sync.get("ExtraInfo").get("SyncDelay").isNumber());
        assertEquals("orders-eu", entry(all, "Id", "np_run").get("Name").asText());
        assertEquals("prod", entry(all, "Id", "np_run").get("Labels").get(0).get("Name").asText());

        assertEquals(Set.of("np_sync"), ids(client.list(Provider.OMS, Map.of("Type", "SYNC")), "Data", "Id"));
        assertEquals(Set.of("np_done"), ids(client.list(Provider.OMS, Map.of("Status", "[\"FINISHED\",\"FAILED\"]")), "Data", "Id"));
        assertEquals(Set.of("np_run"), ids(client.list(Provider.OMS, Map.of("SearchKey", "EU")), "Data", "Id"));
        String archiveId = entry(all, "Id", "np_done").get("Labels").get(1).get("Id").asText();
        assertEquals(Set.of("np_done"), ids(client.list(Provider.OMS, Map.of("LabelIds", "[\"" + archiveId + "\"]")), "Data", "Id"));
    }

    @Test
    void describeDtsJobsListsOneJobTypeAtATime() throws Exception {
        sim.tasks().add(SimTask.dts("dtsmig", DtsScenario.MIGRATION_WITH_SYNC).aged(Duration.ofDays(1)).labelled("env=prod"));
        sim.tasks().add(SimTask.dts("dtssync", DtsScenario.MIGRATION_WITH_SYNC).typed("SYNC").aged(Duration.ofDays(1)));
        sim.tasks().add(SimTask.dts("dtsdone", DtsScenario.FULL_ONLY).aged(Duration.ofDays(1)));

        HttpResponse<String> noRegion = client.list(Provider.DTS, Map.of());
        assertEquals(400, noRegion.statusCode());
        JsonNode migrations = SimClient.json(client.list(Provider.DTS, Map.of("Region", "cn-hangzhou")));
        assertEquals(Set.of("dtsmig", "dtsdone"), ids(migrations, "DtsJobList", "DtsJobId"), "JobType defaults to MIGRATION");
        assertEquals(2, migrations.get("TotalRecordCount").asInt());
        JsonNode mig = entry(migrations.get("DtsJobList"), "DtsJobId", "dtsmig");
        assertEquals("Migrating", mig.get("Status").asText());
        assertTrue(mig.get("Checkpoint").asLong() > 0);
        assertTrue(mig.get("Performance").get("Rps").asLong() > 0);
        assertEquals("env", mig.get("TagList").get(0).get("TagKey").asText());
        assertEquals("Finished", entry(migrations.get("DtsJobList"), "DtsJobId", "dtsdone").get("Status").asText());
        JsonNode syncs = SimClient.json(client.list(Provider.DTS, Map.of("Region", "cn-hangzhou", "JobType", "SYNC")));
        JsonNode sync = entry(syncs.get("DtsJobList"), "DtsJobId", "dtssync");
        assertEquals("Synchronizing", sync.get("Status").asText());
        // the documented units: milliseconds for a migration's Delay, seconds for a synchronization's
        assertTrue(mig.get("Delay").asLong() >= 1000 * sync.get("Delay").asLong() / 10, mig.get("Delay") + " vs " + sync.get("Delay"));

        assertEquals(Set.of("dtsmig"), ids(client.list(Provider.DTS, Map.of("Region", "cn-hangzhou",
                "Tags", "[{\"key\":\"env\",\"value\":\"prod\"}]")), "DtsJobList", "DtsJobId"));
        assertEquals(Set.of("dtsdone"), ids(client.list(Provider.DTS, Map.of("Region", "cn-hangzhou", "Status", "Finished")),
                "DtsJobList", "DtsJobId"));
        assertEquals(1, SimClient.json(client.list(Provider.DTS, Map.of("Region", "cn-hangzhou", "PageSize", "1", "PageNumber", "2")))
                .get("DtsJobList").size());
        assertEquals(400, client.list(Provider.DTS, Map.of("Region", "cn-hangzhou", "PageSize", "31")).statusCode());
    }

    @Test
    void listUdtsTaskPagesByOffsetWithoutATotal() throws Exception {
        for (int i = 0; i < 45; i++) {
            sim.tasks().add(SimTask.udts(String.format("udts-l%02d", i), i % 2 == 0 ? UdtsScenario.FULL_ONLY : UdtsScenario.FULL_AND_INCREMENTAL)
                    .aged(Duration.ofDays(1)));
        }
        List<Integer> sizes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int offset = 0; ; offset += 20) {
            JsonNode body = SimClient.json(client.udtsList(offset, 20));
            assertEquals(0, body.get("RetCode").asInt());
            assertFalse(body.has("TotalCount"));
            sizes.add(body.get("Data").size());
            body.get("Data").forEach(t -> seen.add(t.get("TaskId").asText()));
            if (body.get("Data").size() < 20) {
                break;
            }
        }
        assertEquals(List.of(20, 20, 5), sizes);
        assertEquals(45, seen.size());
        JsonNode first = SimClient.json(client.udtsList(0, 2)).get("Data");
        assertEquals("Done", first.get(0).get("Status").asText());
        assertEquals("full", first.get(0).get("Type").asText());
        assertEquals("Synced", first.get(1).get("Status").asText());
        assertEquals(230, SimClient.json(client.udtsList(0, 101)).get("RetCode").asInt());
    }

    @Test
    void tasksCreatedDeletedAndRestartedWhileRunning() throws Exception {
        assertEquals(200, client.control("tasks", "{\"create\":{\"service\":\"oms\",\"id\":\"np_new\",\"scenario\":\"FULL_ONLY\","
                + "\"ageSeconds\":86400,\"labels\":[\"blue\"]}}").statusCode());
        JsonNode listed = SimClient.json(client.list(Provider.OMS, Map.of()));
        assertEquals("FINISHED", entry(listed.get("Data"), "Id", "np_new").get("Status").asText());
        assertTrue(SimClient.json(client.oms("DescribeProject", "np_new", SignatureMethod.ACS3_HMAC_SHA256)).get("Success").asBoolean());

        client.control("tasks", "{\"restart\":\"np_new\"}");
        assertEquals("RUNNING", entry(SimClient.json(client.list(Provider.OMS, Map.of())).get("Data"), "Id", "np_new").get("Status").asText());

        client.control("tasks", "{\"delete\":\"np_new\"}");
        assertEquals(0, SimClient.json(client.list(Provider.OMS, Map.of())).get("Data").size());
        assertFalse(SimClient.json(client.oms("DescribeProject", "np_new", SignatureMethod.ACS3_HMAC_SHA256)).get("Success").asBoolean());
    }

    @Test
    void accountRateLimitAnswersTheProvidersThrottling() throws Exception {
        sim.tasks().add(SimTask.dts("dtsr", DtsScenario.MIGRATION_WITH_SYNC)).add(SimTask.udts("udts-r", UdtsScenario.FULL_AND_INCREMENTAL));
        sim.limitRequestsPerSecond(3);
        List<Integer> alibaba = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            alibaba.add(client.dts("dtsr").statusCode());
        }
        // six requests sent back to back arrive well within a second: the fourth on is refused
        assertEquals(3, alibaba.stream().filter(s -> s == 200).count(), alibaba.toString());
        HttpResponse<String> refused = client.dts("dtsr");
        assertEquals(400, refused.statusCode());
        assertEquals("Throttling.User", SimClient.json(refused).get("Code").asText());
        List<Integer> retCodes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            retCodes.add(SimClient.json(client.udts("udts-r")).get("RetCode").asInt());
        }
        assertEquals(3, retCodes.stream().filter(c -> c == 0).count(), retCodes.toString());
        assertTrue(retCodes.stream().allMatch(c -> c == 0 || c >= 2000), "UCloud throttling is a RetCode of 2000 or more: " + retCodes);
        assertTrue(sim.peakRequestsPerSecond() >= 6);
        assertTrue(sim.refusedByRateLimit() >= 6);
    }

    private static JsonNode entry(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asText())) {
                return n;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + array);
    }

    private static Set<String> ids(HttpResponse<String> r, String array, String field) throws Exception {
        return ids(SimClient.json(r), array, field);
    }

    private static Set<String> ids(JsonNode body, String array, String field) {
        Set<String> out = new HashSet<>();
        body.get(array).forEach(n -> out.add(n.get(field).asText()));
        return out;
    }
}
