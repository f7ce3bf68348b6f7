package dev.migwatch.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
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
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three documented example responses must land in the columns V1__history.sql gives them. */
class OmsAdapterTest {
    private static final String TASK = "np_4w3a9x";
    private static final Instant NOW = Instant.parse("2024-09-20T02:13:12Z");

    private final OmsAdapter adapter = new OmsAdapter();

    // ---------------------------------------------------------------- task

    @Test
    void projectIdentityAndStatus() throws Exception {
        TaskState t = mapSeeds().task();
        assertEquals("test", t.taskName());
        assertEquals("SYNC", t.taskType());
        assertEquals("RUNNING", t.rawStatus());
        assertEquals(NormalizedStatus.RUNNING, t.status());
    }

    @Test
    void projectProgressAndDelayFromExtraInfo() throws Exception {
        TaskState t = mapSeeds().task();
        assertEquals("PRE-CHECK", t.runningStep());
        assertEquals(90.0, t.progressPct());
        assertEquals(0L, t.delaySeconds());
        assertEquals(Instant.ofEpochSecond(1689214358), t.delaySampledAt());
    }

    @Test
    void projectTimesAreUtc() throws Exception {
        TaskState t = mapSeeds().task();
        assertEquals(Instant.parse("2023-07-13T06:26:15Z"), t.createdAt());
        assertEquals(Instant.parse("2023-07-13T07:02:27Z"), t.startedAt());
        assertEquals(Instant.parse("2023-07-13T07:02:27Z"), t.finishedAt());
    }

    @Test
    void projectFieldsOmsDoesNotReportStayNull() throws Exception {
        TaskState t = mapSeeds().task();
        // the seeds have no FULL_TRANSFER step, so there are no row counts
        assertNull(t.processedRecords());
        assertNull(t.totalRecords());
        assertNull(t.elapsedSeconds());
        assertNull(t.providerEtaSeconds());
        assertNull(t.retryCount());
        assertNull(t.maxRetryCount());
        assertNull(t.failedMessage());
        assertNull(t.binlog());
    }

    @Test
    void projectDetailKeepsSmallFactsAndDropsBigStructures() throws Exception {
        JsonNode d = Json.parse(mapSeeds().task().detailJson());
        assertEquals("test_tag", d.path("Labels").path(0).path("Name").asText());
        assertEquals("HIGH", d.path("Importance").asText());
        assertEquals("omsefry***", d.path("Owner").asText());
        assertEquals("OB_MYSQL", d.path("SourceEndpointType").asText());
        assertEquals("MYSQL", d.path("SinkEndpointType").asText());
        assertEquals("OMS_G2_MIGRATION_LARGE", d.path("WorkerGradeInfo").path("Grade").asText());
        assertEquals(1, d.path("WorkerGradeInfo").size());
        assertTrue(d.path("AlarmStats").path("OpenMonitor").asBoolean());
        // the incremental checkpoint advances at every answer: the INCR_TRANSFER step's column charts it, the raw answer keeps it
        assertFalse(d.path("ExtraInfo").has("IncrSyncTimestamp"), d.toString());
        assertEquals(24, d.path("ExtraInfo").path("SourceStoreKeptHour").asInt());
        assertFalse(d.path("ExtraInfo").has("SubDbs"));
        assertFalse(d.path("ExtraInfo").has("SubConds"));
        for (String big : List.of("TransferMapping", "Steps", "SourceConnectInfo", "SinkConnectInfo", "IncrTransferConfig", "CommonTransferConfig")) {
            assertFalse(d.has(big), big);
        }
    }

    // ---------------------------------------------------------------- steps

    @Test
    void stepsComeFromDescribeProjectSteps() throws Exception {
        List<StepSample> steps = mapSeeds().steps();
        assertEquals(1, steps.size());
        StepSample s = steps.get(0);
        assertEquals("PRE_CHECK", s.stepKey());
        assertNull(s.parentStepKey());
        assertEquals(1, s.stepOrder());
        assertEquals("PRE_CHECK", s.stepName());
        assertEquals("预检查", s.description());
        assertEquals("RUNNING", s.rawStatus());
        assertEquals(NormalizedStatus.RUNNING, s.status());
        assertEquals(100.0, s.progressPct()); // the steps seed says 100, the project seed's copy 90
        assertEquals(Instant.parse("2020-05-22T17:04:18Z"), s.startedAt());
        assertEquals(Instant.parse("2020-05-22T17:04:18Z"), s.finishedAt());
    }

    @Test
    void stepErrorColumnsAndDetail() throws Exception {
        StepSample s = mapSeeds().steps().get(0);
        assertEquals("INNER_ERROR", s.errorCode());
        assertEquals("The ResourceDirectoryId is invalid.", s.errorMessage());
        assertNull(s.throughput());
        assertNull(s.incremental());
        JsonNode d = Json.parse(s.detailJson());
        assertEquals("null", d.path("ExtraInfo").path("ErrorParam").path("key").asText());
        assertEquals("null", d.path("ExtraInfo").path("FailedTime").asText());
        assertFalse(d.path("ExtraInfo").has("ErrorDetails"), "errors have their own rows");
        assertFalse(d.has("StepInfo"), "StepInfo is null in the seed");
    }

    @Test
    void stepsFallBackToDescribeProjectWhenStepsHaveNoDataArray() throws Exception {
        TaskContent c = map(seed("describe-project.json"), "{\"Success\":true,\"Data\":null}", seed("describe-project-components.json"));
        StepSample s = c.steps().get(0);
        assertEquals("PRE_CHECK", s.stepKey());
        assertEquals(90.0, s.progressPct());
        assertEquals("A system error occurred.", s.errorMessage());
        assertEquals("test", Json.parse(s.detailJson()).path("StepInfo").path("test").asText());
        ErrorEvent e = c.errors().stream().filter(x -> x.origin().equals("STEP")).findFirst().orElseThrow();
        assertEquals("CM-RESOAT1111", e.code()); // sent as "\t\nCM-RESOAT1111\n"
        assertEquals("Contact the administrator.", e.proposal());
        assertNull(e.reason()); // sent as the string "null"
    }

    @Test
    void fullTransferStepInfoWithNumbersAsStrings() throws Exception {
        String steps = """
                {"Success": true, "Data": [
                  {"Order": "3", "Name": "FULL_TRANSFER", "Status": "RUNNING", "Progress": "45", "NewField": {"x": 1},
                   "StepInfo": {"processedRecords": "1000", "capacity": "2000", "srcRps": "10", "srcRt": "12.5", "srcIops": 1024,
                                "dstRps": "9", "dstRt": 3, "dstIops": "2048", "srcRpsRef": "100", "dstRpsRef": 90, "dstRtRef": "1.5",
                                "batchSize": 7}},
                  {"Order": 4, "Name": "FULL_VERIFIER", "Status": "FINISHED", "StepInfo": {"processedRecords": 5, "srcRt": 7}}
                ]}""";
        TaskContent c = map(seed("describe-project.json"), steps, seed("describe-project-components.json"));
        StepSample full = c.steps().get(0);
        assertEquals(3, full.stepOrder());
        assertEquals(45.0, full.progressPct());
        assertEquals(new StepSample.Throughput(1000L, 2000L, 10.0, 12.5, 1024.0, 9.0, 3.0, 2048.0, 100.0, 90.0, 1.5), full.throughput());
        assertNull(full.incremental());
        // the figures are the step's columns, not repeated in its detail (which would change at every poll); the rest stays
        assertFalse(Json.parse(full.detailJson()).path("StepInfo").has("srcRt"), full.detailJson());
        assertEquals(7, Json.parse(full.detailJson()).path("StepInfo").path("batchSize").asInt(), full.detailJson());
        assertNull(c.steps().get(1).detailJson(), "nothing of the verifier's StepInfo is without a column");
        assertEquals(5L, c.steps().get(1).throughput().processedRecords());
        assertEquals(7.0, c.steps().get(1).throughput().srcRtMs());
        // the running full transfer gives the task its row counts
        assertEquals(1000L, c.task().processedRecords());
        assertEquals(2000L, c.task().totalRecords());
    }

    @Test
    void incrementalStepsGiveCheckpointAndDelay() throws Exception {
        String steps = """
                {"Success": true, "Data": [
                  {"Name": "INCR_TRANSFER", "Status": "MONITORING",
                   "StepInfo": {"incrTimestampCheckpoint": 1689250000, "checkpointSampleTimestamp": "1689250071", "enableIncrStatistics": "true"}},
                  {"Name": "TRANSFER_APP_SWITCH", "Status": "INIT", "StepInfo": {"checkpointSampleTimestamp": 1689250071}}
                ]}""";
        TaskContent c = map(seed("describe-project.json"), steps, seed("describe-project-components.json"));
        StepSample incr = c.steps().get(0);
        assertEquals(NormalizedStatus.RUNNING, incr.status());
        assertEquals(new StepSample.Incremental(Instant.ofEpochSecond(1689250000), Instant.ofEpochSecond(1689250071), 71L, null, true),
                incr.incremental());
        assertNull(incr.throughput());
        StepSample sw = c.steps().get(1);
        assertEquals(new StepSample.Incremental(null, Instant.ofEpochSecond(1689250071), null, null, null), sw.incremental());
        assertNull(c.task().processedRecords(), "no running full transfer");
    }

    @Test
    void namelessAndRepeatedStepsGetDistinctKeys() throws Exception {
        String steps = """
                {"Success": true, "Data": [{"Name": "PRE_CHECK"}, {"Name": "PRE_CHECK"}, {"Order": 7}, "junk", {}]}""";
        List<StepSample> s = map(seed("describe-project.json"), steps, seed("describe-project-components.json")).steps();
        assertEquals(List.of("PRE_CHECK", "PRE_CHECK#2", "STEP_7", "STEP_5"), s.stream().map(StepSample::stepKey).toList());
        assertEquals(NormalizedStatus.UNKNOWN, s.get(2).status());
    }

    // ---------------------------------------------------------------- components

    @Test
    void allSixComponentKindsAreMapped() throws Exception {
        List<ComponentSample> cs = mapSeeds().components();
        assertEquals(List.of("STORE", "REVERSE_STORE", "FULL_VERIFY", "FULL_IMPORT", "INCR_SYNC", "REVERSE_INCR_SYNC"),
                cs.stream().map(ComponentSample::kind).toList());
    }

    @Test
    void storeComponent() throws Exception {
        ComponentSample s = component("STORE");
        assertEquals("xxx.xxx.xxx.1-7145:OB_ORACLE_np_4w3r***_4w:0000***97", s.name());
        assertEquals("EXCEPTION", s.rawStatus());
        assertEquals(NormalizedStatus.FAILED, s.status());
        assertEquals("xxx.xxx.xxx.1", s.ip());
        assertEquals("cn-shanghai", s.region());
        assertEquals("OB_ORACLE_np_4w3r29c_4w3****", s.topic());
        assertEquals("OB_ORACLE_np_4w3***c_4w3**-0", s.subtopic());
        assertEquals(24L, s.delaySeconds());
        assertEquals(0.0, s.tps());
        assertEquals(Instant.ofEpochSecond(1689250071), s.heartbeatAt());
        assertNull(s.errorMessage());
        assertNull(s.identity());
        assertNull(s.progressPct());
        // a store's checkpoint is its end safe checkpoint, sampled at Gmt (seed 000's documented meaning of both)
        assertEquals(Instant.parse("2023-07-13T09:19:53Z"), s.checkpointAt());
        assertEquals(Instant.ofEpochSecond(1689250049), s.checkpointSampledAt());
    }

    @Test
    void storeDetailHoldsTheUnchartedFields() throws Exception {
        JsonNode d = Json.parse(component("STORE").detailJson());
        assertEquals(2883, d.path("Port").asInt());
        assertEquals(2882, d.path("StorePort").asInt());
        assertEquals(1, d.path("Conn").asInt());
        assertEquals("2023-07-13T09:19:53", d.path("BeginCheckpoint").asText());
        assertEquals("2023-07-13T17:29:54", d.path("GmtCreate").asText());
        assertFalse(d.path("ToSwitch").asBoolean(true));
        for (String mapped : List.of("Name", "Delay", "Tps", "Ip", "Region", "Topic", "Subtopic", "Status", "ErrorDetails", "LatelyHeartbeatTimeSec",
                "ErrMsg", "EndCheckpoint", "Gmt")) {
            assertFalse(d.has(mapped), mapped);
        }
        // the update time advances at every answer: left to the raw answers, or the row would be rewritten at every poll
        assertFalse(d.has("GmtModified"), d.toString());
    }

    @Test
    void aStoreCheckpointThatIsNoTimeStaysInTheDetail() throws Exception {
        ComponentSample s = OmsComponentMapper.map(Json.parse("""
                {"StoreList": [{"Name": "s1", "Status": "ACTIVE", "EndCheckpoint": "soon", "Gmt": null, "GmtModified": "2023-07-13T17:29:54"}]}
                """), new java.util.ArrayList<>()).get(0);
        assertNull(s.checkpointAt());
        assertNull(s.checkpointSampledAt());
        assertEquals("{\"EndCheckpoint\":\"soon\"}", s.detailJson(), "kept as sent; a null is nothing to keep");
    }

    @Test
    void reverseStoreComponent() throws Exception {
        ComponentSample s = component("REVERSE_STORE");
        assertEquals("cn-shenzhen", s.region());
        assertNull(s.topic());
        assertNull(s.subtopic());
        assertEquals(1.0, s.tps());
        assertEquals(1L, s.delaySeconds());
        assertEquals(Instant.ofEpochSecond(1689250071), s.heartbeatAt());
        assertEquals(Instant.ofEpochSecond(1689250071), s.checkpointSampledAt());
        assertEquals(Instant.parse("2023-07-13T09:19:53Z"), s.checkpointAt());
        assertFalse(Json.parse(s.detailJson()).has("Gmt"));
    }

    @Test
    void fullVerifyComponent() throws Exception {
        ComponentSample s = component("FULL_VERIFY");
        assertEquals("xxx.xxx.xxx.1-9000:90247:0000000033", s.name());
        assertEquals("cn-beijing", s.region());
        assertEquals(100L, s.consistentCount());
        assertEquals(0L, s.inconsistentCount());
        assertEquals(100.0, s.progressPct());
        assertEquals(100.0, s.recordProgressPct());
        assertEquals(NormalizedStatus.RUNNING, s.status());
        assertEquals(0, Json.parse(s.detailJson()).path("TaskId").asInt(-1));
    }

    @Test
    void fullImportComponent() throws Exception {
        ComponentSample s = component("FULL_IMPORT");
        assertEquals("cn-hangzhou", s.region());
        assertEquals("p_4w8v****", s.identity());
        assertEquals(90.0, s.progressPct());
        JsonNode d = Json.parse(s.detailJson());
        assertEquals("2023-07-13T18:04:36", d.path("GmtCreate").asText());
        assertFalse(d.has("GmtModify"), d.toString());
    }

    @Test
    void incrementalSyncComponents() throws Exception {
        ComponentSample s = component("INCR_SYNC");
        assertEquals("cn-zhangjiakou", s.region());
        assertEquals("np_4w***", s.identity());
        assertEquals(Instant.parse("2023-07-13T09:19:53Z"), s.checkpointAt());
        assertEquals(Instant.ofEpochSecond(1689250071), s.checkpointSampledAt());
        assertEquals(1.0, s.tps());
        assertEquals(1L, s.delaySeconds());
        assertTrue(Json.parse(s.detailJson()).path("Subtopics").isArray());
        ComponentSample r = component("REVERSE_INCR_SYNC");
        assertEquals("np_4w8****", r.identity());
        assertEquals(Instant.ofEpochSecond(1689250049), r.checkpointSampledAt());
    }

    @Test
    void missingOrNullComponentListsGiveNoComponents() throws Exception {
        String components = """
                {"Success": true, "Data": {"StoreList": null, "FullImportComponents": [], "IncrSyncComponents": "oops",
                  "FullVerifyComponents": [{"Name": "v", "Delay": "24", "Tps": "1.5", "ConsistentQuantity": "7", "Brand": "new"}]}}""";
        List<ComponentSample> cs = map(seed("describe-project.json"), seed("describe-project-steps.json"), components).components();
        assertEquals(1, cs.size());
        assertEquals(24L, cs.get(0).delaySeconds());
        assertEquals(1.5, cs.get(0).tps());
        assertEquals(7L, cs.get(0).consistentCount());
        assertEquals(NormalizedStatus.UNKNOWN, cs.get(0).status());
        assertTrue(map(seed("describe-project.json"), seed("describe-project-steps.json"), "{\"Success\": true}").components().isEmpty());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void seedErrorsComeFromStepsAndComponentsButNotFromSuccessfulResponses() throws Exception {
        List<ErrorEvent> errors = mapSeeds().errors();
        Map<String, Long> byOrigin = errors.stream().collect(Collectors.groupingBy(ErrorEvent::origin, Collectors.counting()));
        assertEquals(Map.of("STEP", 1L, "COMPONENT", 6L), byOrigin);
        ErrorEvent step = errors.get(0);
        assertEquals(new ErrorEvent("STEP", "PRE_CHECK", "CM-RESOAT1111", "ERROR", "A system error occurred.", null, null,
                step.detailJson()), step);
        assertEquals("CM-RESOAT1111", Json.parse(step.detailJson()).path("Code").asText());
        ErrorEvent store = errors.get(1);
        assertEquals("COMPONENT", store.origin());
        assertEquals("xxx.xxx.xxx.1-7145:OB_ORACLE_np_4w3r***_4w:0000***97", store.originName());
        assertEquals("ERROR", store.level());
        assertNull(store.proposal());
    }

    @Test
    void failedResponseRecordsItsErrorDetailTrimmed() throws Exception {
        ObjectNode project = (ObjectNode) Json.parse(seed("describe-project.json"));
        project.put("Success", false);
        ObjectNode components = (ObjectNode) Json.parse(seed("describe-project-components.json"));
        components.put("Success", "false");
        components.remove("ErrorDetail"); // only the deprecated Code/Message/Advice remain
        TaskContent c = map(project.toString(), seed("describe-project-steps.json"), components.toString());
        List<ErrorEvent> responses = c.errors().stream().filter(e -> e.origin().equals("RESPONSE")).toList();
        assertEquals(2, responses.size());
        ErrorEvent e = responses.get(0);
        assertEquals("DescribeProject", e.originName());
        assertEquals("CM-RESOAT1111", e.code()); // sent as "CM-RESOAT1111\n"
        assertEquals("ERROR", e.level());
        assertEquals("A system error occurred.", e.message());
        assertNull(e.reason());
        assertNull(e.proposal());
        assertNotNull(Json.parse(e.detailJson()).get("ExtraContext"));
        ErrorEvent legacy = responses.get(1);
        assertEquals("DescribeProjectComponents", legacy.originName());
        assertEquals("INNER_ERROR", legacy.code());
        assertEquals("Contact the administrator.", legacy.proposal());
    }

    @Test
    void errorEntriesWithoutCodeAndMessageAreSkipped() throws Exception {
        String components = """
                {"Success": true, "Data": {"StoreList": [{"Name": "s", "ErrorDetails": [
                  {"Code": null, "Message": "null", "Level": "ERROR"},
                  {"Code": " ", "Level": "WARNING"},
                  {"Code": "X1", "Message": null, "Level": "warning"}]}]}}""";
        List<ErrorEvent> errors = map(seed("describe-project.json"), seed("describe-project-steps.json"), components).errors()
                .stream().filter(e -> e.origin().equals("COMPONENT")).toList();
        assertEquals(1, errors.size());
        assertEquals("X1", errors.get(0).code());
        assertEquals("WARNING", errors.get(0).level());
        assertEquals("s", errors.get(0).originName());
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void malformedBodiesAreBadResponses() {
        String project = seed("describe-project.json");
        String steps = seed("describe-project-steps.json");
        String components = seed("describe-project-components.json");
        assertBad("DescribeProjectSteps", () -> map(project, "<html>502 Bad Gateway</html>", components));
        assertBad("DescribeProjectComponents", () -> map(project, steps, "{\"Success\": true, \"Data\": {\"StoreList\": ["));
        assertBad("DescribeProject", () -> map("", steps, components));
        assertBad("DescribeProject", () -> map("[1, 2]", steps, components));
        assertBad("DescribeProject", () -> map("{\"Success\": true}", steps, components));
        assertBad("DescribeProject", () -> map("{\"Success\": true, \"Data\": [ ]}", steps, components));
        assertBad("DescribeProjectComponents", () -> adapter.map(source(SignatureMethod.ACS3_HMAC_SHA256), TASK,
                List.of(response("DescribeProject", project), response("DescribeProjectSteps", steps))));
    }

    @Test
    void theLatestAttemptOfAnApiIsMapped() throws Exception {
        ApiResponse failed = new ApiResponse("DescribeProjectSteps", 1, NOW, 5, 503, "text/html", null, "<html/>", null);
        ApiResponse retried = new ApiResponse("DescribeProjectSteps", 2, NOW, 5, 200, "application/json", null,
                seed("describe-project-steps.json"), null);
        TaskContent c = adapter.map(source(SignatureMethod.ACS3_HMAC_SHA256), TASK, List.of(
                response("DescribeProject", seed("describe-project.json")), retried, failed,
                response("DescribeProjectComponents", seed("describe-project-components.json"))));
        assertEquals(100.0, c.steps().get(0).progressPct());
    }

    // ---------------------------------------------------------------- requests and classification

    @Test
    void acs3RequestsCarryTheIdInTheSignedQuery() {
        List<ApiRequest> requests = adapter.requests(source(SignatureMethod.ACS3_HMAC_SHA256), TASK, NOW);
        assertEquals(List.of("DescribeProject", "DescribeProjectSteps", "DescribeProjectComponents"),
                requests.stream().map(ApiRequest::api).toList());
        for (ApiRequest r : requests) {
            assertEquals("POST", r.method());
            assertTrue(r.headers().get("Authorization").startsWith("ACS3-HMAC-SHA256 Credential=AKIDoms,"), r.headers().toString());
            assertEquals(r.api(), r.headers().get("x-acs-action"));
            assertEquals("2019-09-01", r.headers().get("x-acs-version"));
            assertTrue(("&" + r.queryString() + "&").contains("&Id=" + TASK + "&"), r.queryString());
            assertNull(r.body());
            assertFalse(r.toString().contains("s3cr3t-value"), "the secret never leaves the signer");
        }
    }

    @Test
    void hmacSha1RequestsSendTheIdAsFormBody() {
        List<ApiRequest> requests = adapter.requests(source(SignatureMethod.HMAC_SHA1), TASK, NOW);
        assertEquals(3, requests.size());
        for (ApiRequest r : requests) {
            assertEquals("POST", r.method());
            assertTrue(r.queryString().contains("Signature="), r.queryString());
            assertTrue(r.queryString().contains("Action=" + r.api() + "&"), r.queryString());
            assertTrue(r.queryString().contains("Version=2019-09-01"), r.queryString());
            assertTrue(r.queryString().contains("AccessKeyId=AKIDoms"), r.queryString());
            assertEquals("Id=" + TASK, r.body());
            assertFalse(r.toString().contains("s3cr3t-value"));
        }
    }

    @Test
    void providerAndClassificationAreAlibabas() {
        assertEquals(Provider.OMS, adapter.provider());
        ApiCall ok = adapter.classify(response("DescribeProject", seed("describe-project.json")));
        assertEquals("OK", ok.outcome());
        assertEquals("473469C7-XXXX-XXXX-B3DB-A3DC0DE3C83E", ok.requestId());
        ApiCall throttled = adapter.classify(new ApiResponse("DescribeProject", 1, NOW, 3, 400, "application/json", null,
                "{\"RequestId\":\"r\",\"Code\":\"Throttling.User\",\"Message\":\"Request was denied due to user flow control.\"}", null));
        assertEquals("THROTTLED", throttled.outcome());
        assertEquals("Throttling.User", throttled.errorCode());
    }

    // ---------------------------------------------------------------- helpers

    private interface Mapping {
        void run() throws Exception;
    }

    private static void assertBad(String api, Mapping mapping) {
        BadResponseException e = assertThrows(BadResponseException.class, mapping::run);
        assertEquals(api, e.api());
        assertTrue(e.getMessage().startsWith(api + " "), e.getMessage());
    }

    private ComponentSample component(String kind) throws Exception {
        return mapSeeds().components().stream().filter(c -> c.kind().equals(kind)).findFirst().orElseThrow();
    }

    private TaskContent mapSeeds() throws Exception {
        return map(seed("describe-project.json"), seed("describe-project-steps.json"), seed("describe-project-components.json"));
    }

    private TaskContent map(String project, String steps, String components) throws BadResponseException {
        return adapter.map(source(SignatureMethod.ACS3_HMAC_SHA256), TASK, List.of(
                response("DescribeProject", project),
                response("DescribeProjectSteps", steps),
                response("DescribeProjectComponents", components)));
    }

    private static ApiResponse response(String api, String body) {
        return new ApiResponse(api, 1, NOW, 12, 200, "application/json;charset=utf-8", null, body, null);
    }

    private static SourceConfig source(SignatureMethod method) {
        return new SourceConfig("oms-test", Provider.OMS, URI.create("https://oceanbasepro.cn-hangzhou.aliyuncs.com"), "cn-hangzhou",
                List.of(TASK), Duration.ofMinutes(1), "AKIDoms", Secret.of("s3cr3t-value"), null, method, null,
                Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    private static String seed(String name) {
        try (InputStream in = OmsAdapterTest.class.getResourceAsStream("/seeds/oms/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing test seed " + name, e);
        }
    }
}
