package dev.migwatch.udts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskState;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.BadResponseException;
import dev.migwatch.provider.Json;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.source.SourcesConfigParser;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UdtsAdapterTest {
    private static final String TASK = "udts-ixdp441";
    private static final String PUBLIC_KEY = "ucloudsomeone@example.com1296235120854146120";
    private static final String PRIVATE_KEY = "46f09bb9fab4f12dfc160dae12273d5332b5debe";
    private static final Instant NOW = Instant.parse("2025-01-03T02:30:00Z");

    private final UdtsAdapter adapter = new UdtsAdapter();

    private static SourceConfig source(String projectId) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("migwatch.sources.u1.provider", "udts");
        props.put("migwatch.sources.u1.endpoint", "https://api.an-link.com");
        props.put("migwatch.sources.u1.tasks", TASK);
        props.put("migwatch.sources.u1.public-key", PUBLIC_KEY);
        props.put("migwatch.sources.u1.private-key", PRIVATE_KEY);
        if (projectId != null) {
            props.put("migwatch.sources.u1.project-id", projectId);
        }
        return SourcesConfigParser.parse(props).get(0);
    }

    static String seed() throws IOException {
        try (InputStream in = UdtsAdapterTest.class.getResourceAsStream("/seeds/udts/get-udts-task-status.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ApiResponse response(Integer status, String body) {
        return new ApiResponse("GetUDTSTaskStatus", 1, NOW, 42, status, "application/json", null, body, null);
    }

    private TaskContent map(String body) throws BadResponseException {
        return adapter.map(source(null), TASK, List.of(response(200, body)));
    }

    @Test
    void seedMapsToAFinishedTaskWithItsBinlogPosition() throws Exception {
        TaskContent content = map(seed());
        TaskState task = content.task();

        assertNull(task.taskName());
        assertEquals("Done", task.rawStatus());
        assertEquals(NormalizedStatus.FINISHED, task.status());
        assertNull(task.runningStep());
        assertEquals(0, task.retryCount());
        assertEquals(0, task.maxRetryCount());
        assertEquals(0L, task.processedRecords());
        assertEquals(0L, task.totalRecords());
        assertEquals(0.0, task.progressPct());
        assertEquals(0L, task.elapsedSeconds());
        assertEquals(0L, task.providerEtaSeconds());
        assertNull(task.delaySeconds());
        assertNull(task.failedMessage());
        assertEquals(new TaskState.BinlogPosition("mysql-bin.000006", 154L, null), task.binlog());
        assertEquals("GetUDTSTaskStatusResponse", Json.parse(task.detailJson()).get("Action").asText());

        // Progress is all zeros: no full migration happened; Sync is there: the incremental phase is
        assertEquals(1, content.steps().size());
        StepSample incr = content.steps().get(0);
        assertEquals("INCREMENTAL_SYNC", incr.stepKey());
        assertEquals(NormalizedStatus.FINISHED, incr.status());
        assertNull(incr.incremental().delaySeconds());
        // the position is the task's (binlog columns); repeated in the step's detail it rewrote the step's row at every poll
        assertNull(incr.detailJson());
        assertTrue(content.errors().isEmpty());
    }

    @Test
    void syncDetailKeepsWhatTheBinlogColumnsCannotHold() throws Exception {
        TaskContent content = map("""
                {"Action": "GetUDTSTaskStatusResponse", "RetCode": 0, "Message": "",
                 "Data": {"Status": "Syncing", "Sync": {"BinlogName": "mysql-bin.000007", "BinlogPos": "far", "BinlogGTID": "u:1-9",
                                                        "Lag": 3}}}""");
        assertEquals(new TaskState.BinlogPosition("mysql-bin.000007", null, "u:1-9"), content.task().binlog());
        assertEquals("{\"BinlogPos\":\"far\",\"Lag\":3}", content.steps().get(0).detailJson(),
                "a position that is no number, and a field UDTS may add, stay as sent");
    }

    @Test
    void dumpingTaskHasAFullMigrationStepWithThroughput() throws Exception {
        TaskContent content = map("""
                {"Action": "GetUDTSTaskStatusResponse", "RetCode": 0, "Message": "",
                 "Data": {"Status": "Dumping", "CurRetryCount": 1, "MaxRetryCount": 3,
                          "Progress": {"CurCount": 500, "TotalCount": 1000, "Percentage": 50, "CurDuration": 60,
                                       "TotalDuration": 120}}}""");
        TaskState task = content.task();

        assertEquals(NormalizedStatus.RUNNING, task.status());
        assertEquals("FULL_MIGRATION", task.runningStep());
        assertEquals(500L, task.processedRecords());
        assertEquals(1000L, task.totalRecords());
        assertEquals(50.0, task.progressPct());
        assertEquals(60L, task.elapsedSeconds());
        assertEquals(120L, task.providerEtaSeconds());
        assertEquals(1, task.retryCount());
        assertEquals(3, task.maxRetryCount());
        assertNull(task.binlog());

        assertEquals(1, content.steps().size(), "no Sync and no delay: no incremental step");
        StepSample full = content.steps().get(0);
        assertEquals("FULL_MIGRATION", full.stepKey());
        assertEquals("FULL_MIGRATION", full.stepName());
        assertEquals("Dumping", full.rawStatus());
        assertEquals(NormalizedStatus.RUNNING, full.status());
        assertEquals(50.0, full.progressPct());
        assertEquals(new StepSample.Throughput(500L, 1000L, null, null, null, null, null, null, null, null, null), full.throughput());
        assertNull(full.incremental());
    }

    @Test
    void syncingTaskHasAFinishedFullStepAndTheLargerDelay() throws Exception {
        TaskContent content = map("""
                {"RetCode": 0, "Data": {"Status": "Syncing",
                  "Progress": {"CurCount": "1000", "TotalCount": 1000, "Percentage": 100.0, "RedisDelayTime": 3,
                               "MongoDelayTime": 9, "RedisOffsetSize": 77},
                  "Sync": {"BinlogName": "mysql-bin.000007", "BinlogPos": "4", "BinlogGTID": "uuid:1-5"}}}""");

        TaskState task = content.task();
        assertEquals("INCREMENTAL_SYNC", task.runningStep());
        assertEquals(9L, task.delaySeconds());
        assertEquals(new TaskState.BinlogPosition("mysql-bin.000007", 4L, "uuid:1-5"), task.binlog());
        // the offset and delays advance at every answer of a running sync: in the detail they wrote a task row per poll
        assertNull(task.detailJson());

        assertEquals(List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"), content.steps().stream().map(StepSample::stepKey).toList());
        assertEquals(NormalizedStatus.FINISHED, content.steps().get(0).status(), "100% is finished while the task syncs");
        StepSample incr = content.steps().get(1);
        assertEquals(NormalizedStatus.RUNNING, incr.status());
        assertEquals(9L, incr.incremental().delaySeconds());
    }

    @Test
    void aRedisSyncWhoseOffsetAndDelayMoveKeepsTheSameDetail() throws Exception {
        String answer = """
                {"RetCode": 0, "Action": "GetUDTSTaskStatusResponse", "Data": {"Status": "Syncing",
                  "Progress": {"RedisDelayTime": %d, "RedisOffsetSize": %d}}}""";
        TaskState first = map(answer.formatted(2, 1_000)).task();
        TaskState next = map(answer.formatted(5, 1_750)).task();

        assertEquals(first.detailJson(), next.detailJson());
        assertEquals(2L, first.delaySeconds());
        assertEquals(5L, next.delaySeconds());
    }

    @Test
    void incrementalOnlyTaskWithEmptyProgressHasNoFullStep() throws Exception {
        TaskContent content = map("""
                {"RetCode": 0, "Data": {"Status": "Synced", "Progress": {}, "Sync": {"BinlogName": "b.1", "BinlogPos": 9}}}""");

        assertNull(content.task().progressPct());
        assertNull(content.task().processedRecords());
        assertEquals(List.of("INCREMENTAL_SYNC"), content.steps().stream().map(StepSample::stepKey).toList());
    }

    @Test
    void failedMessageIsAResponseError() throws Exception {
        TaskContent content = map("""
                {"RetCode": 0, "Data": {"Status": "Failed", "FailedMessage": "connect to source refused",
                 "CurRetryCount": 3, "MaxRetryCount": 3, "Progress": {"CurCount": 10, "TotalCount": 1000, "Percentage": 1}}}""");

        assertEquals(NormalizedStatus.FAILED, content.task().status());
        assertEquals("connect to source refused", content.task().failedMessage());
        assertEquals(NormalizedStatus.FAILED, content.steps().get(0).status());
        assertEquals(List.of(new ErrorEvent("RESPONSE", "GetUDTSTaskStatus", "Failed", null, "connect to source refused",
                null, null, null)), content.errors());
    }

    @Test
    void missingDataIsABadResponse() {
        for (String body : List.of("{\"RetCode\": 0, \"Action\": \"GetUDTSTaskStatusResponse\"}", "{\"RetCode\": 0, \"Data\": []}",
                "<html>502</html>", "[1]")) {
            BadResponseException e = assertThrows(BadResponseException.class, () -> map(body), body);
            assertEquals("GetUDTSTaskStatus", e.api());
        }
    }

    @Test
    void retCodesAreClassifiedAsTheGoSdkTreatsThem() {
        ApiCall ok = adapter.classify(response(200, "{\"RetCode\": 0, \"Data\": {}}"));
        assertEquals("OK", ok.outcome());
        assertNull(ok.requestId(), "UCloud sends no request id");

        ApiCall signature = adapter.classify(response(200, "{\"RetCode\": 171, \"Message\": \"Signature VerifyAC Error\"}"));
        assertEquals("AUTH", signature.outcome());
        assertEquals("171", signature.errorCode());
        assertEquals("Signature VerifyAC Error", signature.errorMessage());
        assertEquals(200, signature.httpStatus());

        assertEquals("AUTH", adapter.classify(response(200, "{\"RetCode\": 172, \"Message\": \"User Not Exists\"}")).outcome());
        assertEquals("THROTTLED", adapter.classify(response(200, "{\"RetCode\": 2000, \"Message\": \"busy\"}")).outcome());
        assertEquals("THROTTLED", adapter.classify(response(200, "{\"RetCode\": \"2301\"}")).outcome());

        ApiCall other = adapter.classify(response(200, "{\"RetCode\": 230, \"Message\": \"Params [TaskId] not available\"}"));
        assertEquals("ERROR", other.outcome());
        assertEquals("230", other.errorCode());
        assertEquals("Params [TaskId] not available", other.errorMessage());

        assertEquals("a-b-c", adapter.classify(response(200, "{\"RetCode\": 0, \"request_uuid\": \"a-b-c\"}")).requestId());
    }

    @Test
    void httpFailuresAndBrokenBodiesAreClassified() {
        ApiCall notJson = adapter.classify(response(200, "<html>gateway</html>"));
        assertEquals("BAD_RESPONSE", notJson.outcome());
        assertEquals("BAD_RESPONSE", adapter.classify(response(200, "{\"Message\": \"no code\"}")).outcome());

        assertEquals("THROTTLED", adapter.classify(response(429, "")).outcome());
        for (int status : new int[] {502, 503, 504, 400}) {
            ApiCall c = adapter.classify(response(status, "<html>Bad Gateway</html>"));
            assertEquals("ERROR", c.outcome());
            assertEquals("HTTP " + status, c.errorCode());
        }

        ApiCall timeout = adapter.classify(new ApiResponse("GetUDTSTaskStatus", 2, NOW, 10000, null, null, null, (String) null,
                "java.net.http.HttpTimeoutException: request timed out"));
        assertEquals("TIMEOUT", timeout.outcome());
        ApiCall refused = adapter.classify(new ApiResponse("GetUDTSTaskStatus", 1, NOW, 3, null, null, null, (String) null,
                "java.net.ConnectException: Connection refused"));
        assertEquals("NETWORK", refused.outcome());
    }

    @Test
    void requestIsAJsonPostSignedOverItsOtherParameters() throws Exception {
        List<ApiRequest> requests = adapter.requests(source("org-hiny12"), TASK, NOW);

        assertEquals(Provider.UDTS, adapter.provider());
        assertEquals(1, requests.size());
        ApiRequest r = requests.get(0);
        assertEquals("GetUDTSTaskStatus", r.api());
        assertEquals("POST", r.method());
        assertEquals("", r.queryString());
        assertEquals("application/json", r.headers().get("Content-Type"));

        JsonNode body = Json.parse(r.body());
        assertEquals("GetUDTSTaskStatus", body.get("Action").asText());
        assertEquals(PUBLIC_KEY, body.get("PublicKey").asText());
        assertEquals(TASK, body.get("TaskId").asText());
        assertEquals("org-hiny12", body.get("ProjectId").asText());
        Map<String, Object> others = new HashMap<>();
        body.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("Signature")) {
                others.put(f.getKey(), f.getValue().asText());
            }
        });
        assertEquals(4, others.size());
        assertEquals(UcloudSigning.signature(others, PRIVATE_KEY), body.get("Signature").asText());
        assertFalse(r.body().contains(PRIVATE_KEY), "the private key is a signing input, never sent");
        assertFalse(r.toString().contains(PRIVATE_KEY));
    }

    @Test
    void requestLeavesOutAnUnsetProject() throws Exception {
        JsonNode body = Json.parse(adapter.requests(source(null), TASK, NOW).get(0).body());

        assertFalse(body.has("ProjectId"));
        assertEquals(UcloudSigning.signature(Map.of("Action", "GetUDTSTaskStatus", "PublicKey", PUBLIC_KEY, "TaskId", TASK), PRIVATE_KEY),
                body.get("Signature").asText());
    }
}
