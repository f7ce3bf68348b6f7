package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.source.SignatureMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatorProgressTest {
    ProviderSimulator sim;
    SimClient client;

    @BeforeEach
    void start() throws Exception {
        // 100 simulated seconds per real second: 100 real ms between calls move the counters, jumps use advance()
        sim = new ProviderSimulator(SimulatorSettings.demo().withSpeed(100), 0).start();
        client = new SimClient(sim);
    }

    @AfterEach
    void stop() {
        sim.stop();
    }

    private JsonNode step(JsonNode steps, String name) {
        for (JsonNode s : steps) {
            if (s.get("Name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name);
    }

    private JsonNode omsSteps() throws Exception {
        return SimClient.json(client.oms("DescribeProjectSteps", "np_demo_orders", SignatureMethod.ACS3_HMAC_SHA256)).get("Data");
    }

    @Test
    void omsProjectMovesThroughFullTransferToIncrementalMonitoring() throws Exception {
        sim.clock().advance(Duration.ofSeconds(600)); // pre-check 90 s + struct 240 s: inside the full transfer
        JsonNode full1 = step(omsSteps(), "FULL_TRANSFER");
        assertEquals("RUNNING", full1.get("Status").asText());
        assertEquals("FINISHED", step(omsSteps(), "STRUCT_TRANSFER").get("Status").asText());
        Thread.sleep(100);
        JsonNode full2 = step(omsSteps(), "FULL_TRANSFER");
        long p1 = full1.get("StepInfo").get("processedRecords").asLong();
        long p2 = full2.get("StepInfo").get("processedRecords").asLong();
        assertTrue(p2 > p1, p1 + " then " + p2);
        assertTrue(p2 < full2.get("StepInfo").get("capacity").asLong());

        JsonNode components = SimClient.json(client.oms("DescribeProjectComponents", "np_demo_orders", SignatureMethod.HMAC_SHA1)).get("Data");
        assertEquals(1, components.get("FullImportComponents").size());
        assertEquals(0, components.get("IncrSyncComponents").size());

        sim.clock().advance(Duration.ofHours(3));
        JsonNode incr = step(omsSteps(), "INCR_TRANSFER");
        assertEquals("MONITORING", incr.get("Status").asText());
        JsonNode info = incr.get("StepInfo");
        long delay = info.get("checkpointSampleTimestamp").asLong() - info.get("incrTimestampCheckpoint").asLong();
        assertTrue(delay >= 0 && delay < 60, "delay " + delay);
        assertEquals("FINISHED", step(omsSteps(), "FULL_VERIFIER").get("Status").asText());

        JsonNode project = SimClient.json(client.oms("DescribeProject", "np_demo_orders", SignatureMethod.ACS3_HMAC_SHA256)).get("Data");
        assertEquals("INCR_TRANSFER", project.get("ExtraInfo").get("RunningStep").asText());
        assertTrue(project.get("ExtraInfo").get("MonitoringIncr").asBoolean());
        assertEquals("MONITORING", step(project.get("Steps"), "INCR_TRANSFER").get("Status").asText());
        components = SimClient.json(client.oms("DescribeProjectComponents", "np_demo_orders", SignatureMethod.HMAC_SHA1)).get("Data");
        assertEquals(0, components.get("FullImportComponents").size());
        assertEquals(1, components.get("IncrSyncComponents").size());
    }

    @Test
    void flakyProjectFailsAndRecoversDuringIncrementalSync() {
        OmsSimulation oms = new OmsSimulation(sim.settings(), sim.clock());
        boolean failed = false;
        boolean recovered = false;
        for (double t = 0; t < 86_400; t += 60) {
            OmsSimulation.Snapshot s = oms.snapshot("np_demo_users", t);
            if (s.failing()) {
                failed = true;
                assertEquals("FAILED", s.steps().get(5).status());
            } else if (failed && s.phase() == OmsSimulation.Phase.INCR_TRANSFER) {
                recovered = true;
            }
        }
        assertTrue(failed && recovered);
    }

    @Test
    void dtsStepsAdvanceWithSubSteps() throws Exception {
        JsonNode steps = SimClient.json(client.dts("dtsdemo01")).get("JobSteps");
        assertEquals("running", steps.get(0).get("State").asText());
        assertEquals("NotStarted", steps.get(3).get("State").asText());
        assertEquals(-1, steps.get(0).get("IncLatencySeconds").asLong());
        sim.clock().advance(Duration.ofHours(4));
        steps = SimClient.json(client.dts("dtsdemo01")).get("JobSteps");
        assertEquals("○ Finished", steps.get(0).get("State").asText());
        assertEquals("○ Finished", steps.get(2).get("State").asText());
        JsonNode incr = steps.get(3);
        assertEquals("增量写入", incr.get("JobStepName").asText());
        assertEquals("running", incr.get("State").asText());
        assertTrue(incr.get("IncLatencyMilliseconds").isNumber());
        assertTrue(incr.get("SubJobSteps").get(0).get("IncLatencyMilliseconds").isTextual());
        assertTrue(incr.get("IncLatencySeconds").asLong() >= 0);
        assertEquals(3, steps.get(2).get("SubJobSteps").size());
    }

    @Test
    void udtsTasksGoThroughTheirStatuses() throws Exception {
        // Created lasts 20 simulated seconds, 10 real ms at this speed: check it on the pure function
        assertEquals("Created", new UdtsSimulation(sim.settings(), sim.clock()).status("udts-demo01", 5).get("Data").get("Status").asText());
        sim.clock().advance(Duration.ofSeconds(100));
        assertEquals("Dumping", udts("udts-demo01").get("Status").asText());
        sim.clock().advance(Duration.ofSeconds(500));
        JsonNode loading = udts("udts-demo01");
        assertEquals("Loading", loading.get("Status").asText());
        assertTrue(loading.get("Progress").get("CurCount").asLong() > 0);
        assertTrue(loading.get("Progress").get("Percentage").asDouble() < 100);
        JsonNode failing = udts("udts-demo02");
        assertEquals("Dumping", failing.get("Status").asText()); // recovered already at 600 s
        sim.clock().advance(Duration.ofHours(2));
        JsonNode synced = udts("udts-demo01");
        assertEquals("Synced", synced.get("Status").asText());
        long pos1 = synced.get("Sync").get("BinlogPos").asLong();
        String name1 = synced.get("Sync").get("BinlogName").asText();
        sim.clock().advance(Duration.ofSeconds(60));
        JsonNode later = udts("udts-demo01").get("Sync");
        assertTrue(later.get("BinlogName").asText().compareTo(name1) > 0 || later.get("BinlogPos").asLong() > pos1);
        assertTrue(later.get("BinlogGTID").asText().contains(":1-"));
    }

    @Test
    void failingUdtsTaskRetriesThenRecovers() {
        UdtsSimulation udts = new UdtsSimulation(sim.settings(), sim.clock());
        assertEquals("Failed", udts.status("udts-demo02", 230).get("Data").get("Status").asText());
        assertFalse(udts.status("udts-demo02", 230).get("Data").get("FailedMessage").asText().isEmpty());
        assertEquals("RetryPending", udts.status("udts-demo02", 280).get("Data").get("Status").asText());
        assertEquals(1, udts.status("udts-demo02", 280).get("Data").get("CurRetryCount").asInt());
        assertEquals(2, udts.status("udts-demo02", 420).get("Data").get("CurRetryCount").asInt());
        assertEquals("Synced", udts.status("udts-demo02", 10_000).get("Data").get("Status").asText());
        SimulatorSettings inc = sim.settings().withUdtsTask("udts-inc", UdtsScenario.INCREMENTAL_ONLY);
        JsonNode p = new UdtsSimulation(inc, sim.clock()).status("udts-inc", 1000).get("Data").get("Progress");
        assertEquals(0, p.size(), "Progress is empty for incremental-only tasks");
    }

    private JsonNode udts(String id) throws Exception {
        JsonNode b = SimClient.json(client.udts(id));
        assertEquals(0, b.get("RetCode").asInt(), b.toString());
        return b.get("Data");
    }
}
