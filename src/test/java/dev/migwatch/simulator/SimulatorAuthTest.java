package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.alibaba.AlibabaRpcRequests;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SignatureMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatorAuthTest {
    ProviderSimulator sim;
    SimClient client;

    @BeforeEach
    void start() throws Exception {
        sim = new ProviderSimulator(SimulatorSettings.demo(), 0).start();
        client = new SimClient(sim);
    }

    @AfterEach
    void stop() {
        sim.stop();
    }

    @ParameterizedTest
    @EnumSource(SignatureMethod.class)
    void signedDescribeProjectStepsHasTheSeedShape(SignatureMethod method) throws Exception {
        HttpResponse<String> r = client.oms("DescribeProjectSteps", "np_demo_orders", method);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode b = SimClient.json(r);
        assertTrue(b.get("Success").asBoolean());
        assertTrue(b.has("ErrorDetail"), "ErrorDetail is present even on success");
        assertTrue(b.get("Cost").isTextual(), "Cost is a string in DescribeProjectSteps");
        assertEquals(36, b.get("RequestId").asText().length());
        JsonNode first = b.get("Data").get(0);
        for (String f : new String[]{"Order", "Name", "Description", "Status", "ExtraInfo", "StartTime", "FinishTime", "Progress", "StepInfo"}) {
            assertTrue(first.has(f), f);
        }
        assertEquals("PRE_CHECK", first.get("Name").asText());
        assertEquals("预检查", first.get("Description").asText());
        assertEquals(r.headers().firstValue("x-acs-request-id").orElseThrow(), b.get("RequestId").asText());
    }

    @Test
    void everyOmsActionAndRequestIdsAreFresh() throws Exception {
        JsonNode a = SimClient.json(client.oms("DescribeProject", "np_demo_orders", SignatureMethod.ACS3_HMAC_SHA256));
        JsonNode b = SimClient.json(client.oms("DescribeProject", "np_demo_orders", SignatureMethod.ACS3_HMAC_SHA256));
        assertEquals("np_demo_orders", a.get("Data").get("Id").asText());
        assertEquals("PRE-CHECK", a.get("Data").get("ExtraInfo").get("RunningStep").asText());
        assertNotEquals(a.get("RequestId"), b.get("RequestId"));
        JsonNode c = SimClient.json(client.oms("DescribeProjectComponents", "np_demo_orders", SignatureMethod.HMAC_SHA1));
        assertTrue(c.get("Cost").isNumber(), "Cost is a number in DescribeProjectComponents");
        assertTrue(c.get("Data").has("IncrSyncComponents"));
    }

    @ParameterizedTest
    @EnumSource(SignatureMethod.class)
    void wrongSecretIsSignatureDoesNotMatch(SignatureMethod method) throws Exception {
        HttpResponse<String> r = client.alibaba(client.alibaba(Provider.OMS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID, "wrong", method),
                "DescribeProjectSteps", "2019-09-01", Map.of("Id", "np_demo_orders"), Instant.now());
        assertEquals(400, r.statusCode());
        JsonNode b = SimClient.json(r);
        assertEquals("SignatureDoesNotMatch", b.get("Code").asText());
        assertTrue(b.get("Message").asText().startsWith("Specified signature is not matched with our calculation."));
        assertEquals("127.0.0.1", b.get("HostId").asText());
        assertEquals("https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch&product=OceanBasePro", b.get("Recommend").asText());
        assertNotNull(b.get("RequestId").asText());
        assertEquals(5, b.size());
    }

    @Test
    void unknownKeyIdIsNotFound() throws Exception {
        HttpResponse<String> r = client.alibaba(client.alibaba(Provider.DTS, "nobody", "x", SignatureMethod.ACS3_HMAC_SHA256),
                "ListJobStep", "2020-01-01", Map.of("DtsJobId", "dtsdemo01"), Instant.now());
        assertEquals(404, r.statusCode());
        assertEquals("InvalidAccessKeyId.NotFound", SimClient.json(r).get("Code").asText());
        assertEquals("Specified access key is not found.", SimClient.json(r).get("Message").asText());
    }

    @ParameterizedTest
    @EnumSource(SignatureMethod.class)
    void staleTimestampIsExpired(SignatureMethod method) throws Exception {
        HttpResponse<String> r = client.alibaba(client.alibaba(Provider.OMS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID,
                        SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET, method),
                "DescribeProjectSteps", "2019-09-01", Map.of("Id", "np_demo_orders"), Instant.now().minus(Duration.ofMinutes(20)));
        assertEquals(400, r.statusCode());
        assertEquals("InvalidTimeStamp.Expired", SimClient.json(r).get("Code").asText());
    }

    @Test
    void reusedNonceIsRefused() throws Exception {
        var source = client.alibaba(Provider.OMS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID, SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET,
                SignatureMethod.HMAC_SHA1);
        ApiRequest req = AlibabaRpcRequests.build(source, "DescribeProjectSteps", "2019-09-01", Map.of("Id", "np_demo_orders"), Instant.now(), "nonce-1");
        assertEquals(200, client.send(req).statusCode());
        HttpResponse<String> again = client.send(req);
        assertEquals(400, again.statusCode());
        assertEquals("SignatureNonceUsed", SimClient.json(again).get("Code").asText());
    }

    @Test
    void missingAuthorizationAndWrongVersion() throws Exception {
        var source = client.alibaba(Provider.OMS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID, SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET,
                SignatureMethod.ACS3_HMAC_SHA256);
        ApiRequest signed = AlibabaRpcRequests.build(source, "DescribeProjectSteps", "2019-09-01", Map.of("Id", "np_demo_orders"), Instant.now());
        Map<String, String> headers = new java.util.HashMap<>(signed.headers());
        headers.remove("Authorization");
        HttpResponse<String> r = client.send(new ApiRequest(signed.api(), signed.method(), signed.queryString(), headers, null));
        assertEquals(400, r.statusCode());
        assertEquals("MissingAuthorization", SimClient.json(r).get("Code").asText());

        HttpResponse<String> v = client.alibaba(source, "DescribeProjectSteps", "2020-01-01", Map.of("Id", "np_demo_orders"), Instant.now());
        assertEquals(400, v.statusCode());
        assertEquals("InvalidVersion", SimClient.json(v).get("Code").asText());
    }

    @Test
    void wrongStsTokenIsRefused() throws Exception {
        var source = client.alibaba(Provider.OMS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID, SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET,
                SignatureMethod.ACS3_HMAC_SHA256);
        var withToken = new dev.migwatch.source.SourceConfig(source.name(), source.provider(), source.endpoint(), source.region(), source.tasks(),
                source.interval(), source.keyId(), source.secret(), dev.migwatch.source.Secret.of("CAIS1234567890abcdefghijklmnop"),
                source.signatureMethod(), null, source.connectTimeout(), source.readTimeout());
        HttpResponse<String> r = client.alibaba(withToken, "DescribeProjectSteps", "2019-09-01", Map.of("Id", "np_demo_orders"), Instant.now());
        assertEquals(403, r.statusCode());
        assertEquals("InvalidSecurityToken.Expired", SimClient.json(r).get("Code").asText());
    }

    @Test
    void udtsSignatureErrors() throws Exception {
        JsonNode bad = SimClient.json(client.udts("udts-demo01", SimulatorSettings.DEFAULT_PUBLIC_KEY, "wrong"));
        assertEquals(171, bad.get("RetCode").asInt());
        assertEquals("Signature VerifyAC Error", bad.get("Message").asText());
        assertEquals("GetUDTSTaskStatusResponse", bad.get("Action").asText());
        JsonNode unknown = SimClient.json(client.udts("udts-demo01", "nobody", "x"));
        assertEquals(172, unknown.get("RetCode").asInt());
        assertEquals("User Not Exists", unknown.get("Message").asText());
        HttpResponse<String> ok = client.udts("udts-demo01");
        assertEquals(200, ok.statusCode());
        assertEquals(0, SimClient.json(ok).get("RetCode").asInt());
    }

    @Test
    void unknownIdsGetNotFoundAnswers() throws Exception {
        HttpResponse<String> oms = client.oms("DescribeProjectSteps", "np_nope", SignatureMethod.ACS3_HMAC_SHA256);
        assertEquals(200, oms.statusCode());
        JsonNode o = SimClient.json(oms);
        assertFalse(o.get("Success").asBoolean());
        assertEquals(OmsSimulation.NOT_FOUND_CODE, o.get("ErrorDetail").get("Code").asText());
        assertTrue(o.get("ErrorDetail").get("Message").asText().contains("np_nope"));

        HttpResponse<String> dts = client.dts("nope");
        assertEquals(404, dts.statusCode());
        assertEquals("Forbidden.InstanceNotFound", SimClient.json(dts).get("Code").asText());

        JsonNode u = SimClient.json(client.udts("udts-nope"));
        assertEquals(UdtsSimulation.NOT_FOUND_RET_CODE, u.get("RetCode").asInt());
        assertTrue(u.get("Message").asText().contains("udts-nope"));

        SimulatorStats stats = sim.stats();
        assertEquals(1, stats.count("np_nope", "NOT_FOUND"));
        assertEquals(1, stats.count("nope", "Forbidden.InstanceNotFound"));
        assertEquals(1, stats.count("udts-nope", "RetCode 8004"));
    }
}
