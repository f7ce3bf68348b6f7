package dev.migwatch.dts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.alibaba.AlibabaSigning;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DtsAdapterTest {
    private static final String TASK = "k2gm967v16f****";
    private static final Instant NOW = Instant.parse("2025-01-03T02:30:00Z");

    private final DtsAdapter adapter = new DtsAdapter();

    /** Built by the real parser, so "ACS3 by default" is the configured default, not one this test picked. */
    private static SourceConfig source(Map<String, String> extra) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("migwatch.sources.dts1.provider", "dts");
        props.put("migwatch.sources.dts1.region", "cn-hangzhou");
        props.put("migwatch.sources.dts1.tasks", TASK);
        props.put("migwatch.sources.dts1.access-key-id", "testid");
        props.put("migwatch.sources.dts1.access-key-secret", "testsecret");
        props.putAll(extra);
        return SourcesConfigParser.parse(props).get(0);
    }

    static String seed() throws IOException {
        try (InputStream in = DtsAdapterTest.class.getResourceAsStream("/seeds/dts/list-job-step.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ApiResponse response(int status, String body) {
        return new ApiResponse("ListJobStep", 1, NOW, 42, status, "application/json", null, body, null);
    }

    private TaskContent map(String body) throws BadResponseException {
        return adapter.map(source(Map.of()), TASK, List.of(response(200, body)));
    }

    @Test
    void seedStepMapsFieldByField() throws Exception {
        TaskContent content = map(seed());

        assertEquals(2, content.steps().size());
        StepSample step = content.steps().get(0);
        assertEquals("l02c1f7h179****", step.stepKey());
        assertNull(step.parentStepKey());
        assertEquals(1, step.stepOrder());
        assertEquals("预检查", step.stepName());
        assertEquals("01", step.description());
        assertEquals("○ Finished", step.rawStatus());
        assertEquals(NormalizedStatus.FINISHED, step.status());
        assertEquals(100.0, step.progressPct());
        assertEquals(Instant.parse("2024-04-11T09:33:23Z"), step.startedAt());
        assertEquals(Instant.parse("2024-03-15T02:15:14Z"), step.finishedAt());
        assertNull(step.throughput());
        assertNotNull(step.incremental());
        assertNull(step.incremental().delaySeconds(), "IncLatencySeconds -1 means not applicable");
        assertEquals(1L, step.incremental().delayMs());
        assertNull(step.errorCode(), "ErrorCode 200 is a success, not an error code");
        assertEquals("fullcheck find different records : 2372", step.errorMessage());

        JsonNode detail = Json.parse(step.detailJson());
        assertEquals(1, detail.get("SubJobCount").asInt());
        assertEquals("2023-11-28T17:13:51Z", detail.get("CreateTime").asText());
        // DTS advances it at every answer of a running step: left to the raw answers, or the row would be rewritten at every poll
        assertFalse(detail.has("ModifyTime"), detail.toString());
        assertTrue(detail.get("NeedAcceleration").asBoolean());
        assertEquals("****", detail.get("ErrorDetails").get(0).get("HelpUrl").asText());
        assertFalse(detail.has("SubJobSteps"), "sub-steps are rows of their own, not detail");
        assertFalse(detail.has("State"), "mapped fields are not repeated in detail");
    }

    @Test
    void seedSubStepMapsWithItsParentKey() throws Exception {
        StepSample sub = map(seed()).steps().get(1);

        assertEquals("mj3z9w9s10am68o_0004_0000", sub.stepKey());
        assertEquals("l02c1f7h179****", sub.parentStepKey());
        assertEquals(123, sub.stepOrder());
        assertEquals("test", sub.stepName());
        assertEquals("03", sub.description());
        assertEquals("running", sub.rawStatus());
        assertEquals(NormalizedStatus.RUNNING, sub.status());
        assertEquals(0.0, sub.progressPct());
        assertEquals(Instant.parse("2025-01-02T02:00:21Z"), sub.startedAt());
        assertEquals(Instant.parse("2024-03-15T02:15:14Z"), sub.finishedAt());
        assertEquals(1L, sub.incremental().delaySeconds());
        assertEquals(1L, sub.incremental().delayMs(), "IncLatencyMilliseconds is the string \"1\" in SubJobSteps");
        assertNull(sub.errorCode(), "ErrorCode Success is not an error code");
        assertEquals("UncaughtException:java.lang.NullPointerException", sub.errorMessage());
        JsonNode detail = Json.parse(sub.detailJson());
        assertEquals("2024-09-20T02:13:12Z", detail.get("CreateTime").asText());
        assertFalse(detail.has("ModifyTime"), detail.toString());
    }

    @Test
    void seedErrorsAreOnePerStepWithTheirOrigin() throws Exception {
        List<ErrorEvent> errors = map(seed()).errors();

        assertEquals(List.of(
                new ErrorEvent("STEP", "l02c1f7h179****", null, null, "fullcheck find different records : 2372", null, null, null),
                new ErrorEvent("SUB_STEP", "mj3z9w9s10am68o_0004_0000", null, null,
                        "UncaughtException:java.lang.NullPointerException", null, null, null)), errors);
    }

    @Test
    void seedTaskIsAtItsLastStepWhenAllTopLevelStepsFinished() throws Exception {
        TaskState task = map(seed()).task();

        assertNull(task.taskName());
        assertNull(task.taskType());
        assertEquals("○ Finished", task.rawStatus());
        assertEquals(NormalizedStatus.FINISHED, task.status());
        assertEquals("预检查", task.runningStep());
        assertEquals(100.0, task.progressPct());
        assertEquals(1L, task.delaySeconds(), "the largest applicable latency, the sub-step's; -1 is ignored");
        JsonNode detail = Json.parse(task.detailJson());
        assertTrue(detail.get("UseV2API").asBoolean());
        assertEquals(200, detail.get("HttpStatusCode").asInt());
        assertEquals("200", detail.get("Code").asText());
    }

    @Test
    void taskFollowsTheFirstUnfinishedStepInSerialOrder() throws Exception {
        // array order differs from Serial order on purpose; the third step has no JobStepId
        String body = """
                {"Success": true, "JobSteps": [
                  {"JobStepId": "s3", "JobStepName": "增量迁移", "Code": "05", "Serial": 3, "State": "NotStarted", "Progress": 0,
                   "IncLatencySeconds": 7},
                  {"JobStepId": "s1", "JobStepName": "预检查", "Code": "01", "Serial": 1, "State": "○ Finished", "Progress": 100},
                  {"JobStepName": "全量迁移", "Code": "04", "Serial": 2, "State": "Failed", "Progress": "42",
                   "ErrMsg": "Table exists", "IncLatencySeconds": -1,
                   "ErrorDetails": [{"ErrorCode": "200"}, {"ErrorCode": "DTS-1020042\\n", "HelpUrl": "https://help/x"},
                                    {"ErrorCode": "DTS-2"}],
                   "SubJobSteps": [{"JobStepName": "t1", "Serial": 9, "State": "Running", "IncLatencyMilliseconds": "2500"},
                                   {"JobStepName": "t2", "State": "Running"}]}
                ]}
                """;
        TaskContent content = map(body);

        TaskState task = content.task();
        assertEquals("Failed", task.rawStatus());
        assertEquals(NormalizedStatus.FAILED, task.status());
        assertEquals("全量迁移", task.runningStep());
        assertEquals(42.0, task.progressPct());
        assertEquals(7L, task.delaySeconds());

        StepSample full = content.steps().stream().filter(s -> "全量迁移".equals(s.stepName())).findFirst().orElseThrow();
        assertEquals("04", full.stepKey(), "without JobStepId the Code is the key");
        assertEquals("DTS-1020042", full.errorCode(), "the first non-success ErrorCode, trimmed");
        assertNull(full.incremental());

        StepSample t1 = content.steps().stream().filter(s -> "t1".equals(s.stepName())).findFirst().orElseThrow();
        assertEquals("04/9", t1.stepKey());
        assertEquals("04", t1.parentStepKey());
        assertEquals(2500L, t1.incremental().delayMs());
        assertNull(t1.incremental().delaySeconds());
        StepSample t2 = content.steps().stream().filter(s -> "t2".equals(s.stepName())).findFirst().orElseThrow();
        assertEquals("04/#2", t2.stepKey(), "no Serial either: the position keeps the key unique");

        List<ErrorEvent> stepErrors = content.errors().stream().filter(e -> "04".equals(e.originName())).toList();
        assertEquals(2, stepErrors.size(), "one event per failing ErrorDetails entry, the 200 one is not an error");
        assertEquals("DTS-1020042", stepErrors.get(0).code());
        assertEquals("Table exists", stepErrors.get(0).message());
        assertEquals("https://help/x", Json.parse(stepErrors.get(0).detailJson()).get("HelpUrl").asText());
        assertEquals("DTS-2", stepErrors.get(1).code());
    }

    @Test
    void emptyStepListIsAnUnknownTaskWithoutSteps() throws Exception {
        TaskContent content = map("{\"Success\": true, \"JobSteps\": []}");

        assertTrue(content.steps().isEmpty());
        assertTrue(content.errors().isEmpty());
        assertEquals(NormalizedStatus.UNKNOWN, content.task().status());
        assertNull(content.task().rawStatus());
        assertNull(content.task().runningStep());
    }

    @Test
    void malformedBodiesAreBadResponses() {
        for (String body : List.of("<ListJobStepResponse><Success>true</Success>", "{\"Success\": true, \"JobSteps\": ",
                "{\"Success\": true}", "{\"Success\": true, \"JobSteps\": {\"JobStepId\": \"x\"}}", "[]", "")) {
            BadResponseException e = assertThrows(BadResponseException.class, () -> map(body), body);
            assertEquals("ListJobStep", e.api());
        }
    }

    @Test
    void requestIsOneAcs3SignedListJobStepByDefault() {
        SourceConfig source = source(Map.of());
        List<ApiRequest> requests = adapter.requests(source, TASK, NOW);

        assertEquals(1, requests.size());
        ApiRequest r = requests.get(0);
        assertEquals(Provider.DTS, adapter.provider());
        assertEquals("ListJobStep", r.api());
        assertEquals("POST", r.method());
        assertEquals("ListJobStep", r.headers().get("x-acs-action"));
        assertEquals("2020-01-01", r.headers().get("x-acs-version"));
        assertTrue(r.headers().get("Authorization").startsWith("ACS3-HMAC-SHA256 Credential=testid,"));
        assertEquals("DtsJobId=k2gm967v16f%2A%2A%2A%2A&RegionId=cn-hangzhou", r.queryString());

        // the signature verifies as the gateway would: recompute it from what is sent
        Map<String, String> signed = new TreeMap<>(r.headers());
        signed.remove("Authorization");
        signed.put("host", "dts.cn-hangzhou.aliyuncs.com");
        AlibabaSigning.Acs3 canonical = AlibabaSigning.acs3("POST", "/", Map.of("DtsJobId", TASK, "RegionId", "cn-hangzhou"), signed, "");
        assertEquals(AlibabaSigning.authorization("testid", canonical, AlibabaSigning.acs3Signature(canonical, "testsecret")),
                r.headers().get("Authorization"));
        assertFalse(r.toString().contains("testsecret"));
    }

    @Test
    void requestCanBeSignedWithHmacSha1() {
        ApiRequest r = adapter.requests(source(Map.of("migwatch.sources.dts1.signature-method", "HMAC-SHA1")), TASK, NOW).get(0);

        assertTrue(r.queryString().contains("Action=ListJobStep"));
        assertTrue(r.queryString().contains("Version=2020-01-01"));
        assertTrue(r.queryString().contains("SignatureMethod=HMAC-SHA1"));
        assertEquals("DtsJobId=k2gm967v16f%2A%2A%2A%2A&RegionId=cn-hangzhou", r.body());
    }

    @Test
    void documentedErrorsAreClassified() throws Exception {
        ApiCall throttled = adapter.classify(response(400, """
                {"RequestId": "R1", "HostId": "dts.cn-hangzhou.aliyuncs.com", "Code": "Throttling.User",
                 "Message": "Request was denied due to user flow control."}"""));
        assertEquals("THROTTLED", throttled.outcome());
        assertEquals("Throttling.User", throttled.errorCode());
        assertEquals("R1", throttled.requestId());

        ApiCall expired = adapter.classify(response(403, """
                {"RequestId": "R2", "Code": "InvalidSecurityToken.Expired", "Message": "Specified SecurityToken is expired."}"""));
        assertEquals("AUTH", expired.outcome());
        assertEquals("InvalidSecurityToken.Expired", expired.errorCode());

        ApiCall unavailable = adapter.classify(response(500, """
                {"RequestId": "R3", "Code": "ServiceUnavailable",
                 "Message": "The request has failed due to a temporary failure of the server."}"""));
        assertEquals("ERROR", unavailable.outcome());
        assertEquals("ServiceUnavailable", unavailable.errorCode());
        assertEquals("The request has failed due to a temporary failure of the server.", unavailable.errorMessage());

        ApiCall ok = adapter.classify(response(200, seed()));
        assertEquals("OK", ok.outcome());
        assertEquals("621BB4F8-3016-4FAA-8D5A-5D3163CC****", ok.requestId());
    }
}
