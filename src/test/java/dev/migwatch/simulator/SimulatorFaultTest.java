package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.source.SignatureMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatorFaultTest {
    static final String ORDERS = "np_demo_orders";
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

    private HttpResponse<String> steps() throws Exception {
        return client.oms("DescribeProjectSteps", ORDERS, SignatureMethod.ACS3_HMAC_SHA256);
    }

    private void assertNormalAgain() throws Exception {
        HttpResponse<String> r = steps();
        assertEquals(200, r.statusCode());
        assertTrue(SimClient.json(r).get("Success").asBoolean());
    }

    @Test
    void serverErrorTwiceThenNormal() throws Exception {
        sim.faults().queue(ORDERS, FaultInjector.Fault.serverError(), 2);
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = steps();
            assertEquals(500, r.statusCode());
            assertEquals("ServiceUnavailable", SimClient.json(r).get("Code").asText());
        }
        assertNormalAgain();
        assertEquals(2, sim.stats().count(ORDERS, "fault:SERVER_ERROR"));
        assertEquals(1, sim.stats().count(ORDERS, "OK"));
    }

    @Test
    void alibabaThrottlingCarriesRetryAfter() throws Exception {
        sim.faults().queue(FaultInjector.ANY_TASK, FaultInjector.Fault.throttle(Duration.ofMillis(1500)), 1);
        HttpResponse<String> r = client.dts("dtsdemo01");
        assertEquals(400, r.statusCode());
        assertEquals("Throttling.User", SimClient.json(r).get("Code").asText());
        assertEquals("1500", r.headers().firstValue("x-acs-retry-after").orElseThrow());
        assertEquals(200, client.dts("dtsdemo01").statusCode());
    }

    @Test
    void http429ThenNormal() throws Exception {
        sim.faults().queue(ORDERS, FaultInjector.Fault.tooManyRequests(), 1);
        HttpResponse<String> r = steps();
        assertEquals(429, r.statusCode());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertNormalAgain();
    }

    @Test
    void ucloudThrottlingIsARetCode() throws Exception {
        sim.faults().queue("udts-demo01", FaultInjector.Fault.ucloudThrottle(2010), 1);
        HttpResponse<String> r = client.udts("udts-demo01");
        assertEquals(200, r.statusCode());
        assertEquals(2010, SimClient.json(r).get("RetCode").asInt());
        assertEquals(0, SimClient.json(client.udts("udts-demo01")).get("RetCode").asInt());
    }

    @Test
    void hangOutlastsTheReadTimeoutWithoutBlockingOthers() throws Exception {
        sim.faults().queue("udts-demo01", FaultInjector.Fault.hang(Duration.ofSeconds(3)), 1);
        long t0 = System.nanoTime();
        var hung = client.http.sendAsync(HttpRequest.newBuilder(URI.create(client.base + "/")).timeout(Duration.ofMillis(300))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(udtsBody("udts-demo01"))).build(),
                HttpResponse.BodyHandlers.ofString());
        // meanwhile other answers are served at once
        assertNormalAgain();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, hung::get);
        assertTrue(e.getCause() instanceof HttpTimeoutException, e.toString());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        assertEquals(0, SimClient.json(client.udts("udts-demo01")).get("RetCode").asInt());
    }

    @Test
    void dropClosesWithoutAnswer() throws Exception {
        sim.faults().queue(ORDERS, FaultInjector.Fault.drop(), 1);
        assertThrows(IOException.class, this::steps);
        assertNormalAgain();
    }

    @Test
    void malformedAndTruncatedJson() throws Exception {
        sim.faults().queue(ORDERS, FaultInjector.Fault.malformedJson(), 1);
        HttpResponse<String> r = steps();
        assertEquals(200, r.statusCode());
        assertThrows(com.fasterxml.jackson.core.JsonProcessingException.class, () -> SimClient.json(r));
        sim.faults().queue(ORDERS, FaultInjector.Fault.truncatedBody(), 1);
        assertThrows(IOException.class, this::steps);
        assertNormalAgain();
    }

    @Test
    void htmlErrorPage() throws Exception {
        sim.faults().queue(ORDERS, FaultInjector.Fault.htmlPage(502), 1);
        HttpResponse<String> r = steps();
        assertEquals(502, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(r.body().contains("<html>"));
        assertNormalAgain();
    }

    @Test
    void nonUtf8Body() throws Exception {
        sim.faults().queue(ORDERS, FaultInjector.Fault.nonUtf8(), 1);
        HttpResponse<byte[]> r = client.http.send(rawStepsRequest(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertThrows(CharacterCodingException.class,
                () -> StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(r.body())));
        assertNormalAgain();
    }

    @Test
    void randomFaultsAreReproducibleAndCounted() throws Exception {
        sim.faults().random(0.5, 7, Duration.ZERO);
        int faults = 0;
        for (int i = 0; i < 20; i++) {
            try {
                HttpResponse<String> r = client.udts("udts-demo01");
                if (r.statusCode() != 200 || !r.body().contains("\"RetCode\":0")) {
                    faults++;
                }
            } catch (IOException e) {
                faults++;
            }
        }
        sim.faults().clear();
        long served = sim.stats().byTask().get("udts-demo01").entrySet().stream()
                .filter(e -> e.getKey().startsWith("fault:")).mapToLong(java.util.Map.Entry::getValue).sum();
        assertTrue(served > 0 && served < 20, "faults served " + served);
        assertTrue(faults <= served, faults + " seen, " + served + " served");
        assertEquals(0, SimClient.json(client.udts("udts-demo01")).get("RetCode").asInt());
    }

    @Test
    void controlEndpointsQueueFaultsAndReportStats() throws Exception {
        HttpResponse<String> c = client.http.send(HttpRequest.newBuilder(URI.create(client.base + "/_simulator/faults"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"" + ORDERS + "\",\"kind\":\"THROTTLE\",\"times\":1,\"retryAfterMillis\":250}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, c.statusCode(), c.body());
        HttpResponse<String> r = steps();
        assertEquals(400, r.statusCode());
        assertEquals("250", r.headers().firstValue("x-acs-retry-after").orElseThrow());
        assertNormalAgain();
        JsonNode stats = SimClient.json(client.http.send(HttpRequest.newBuilder(URI.create(client.base + "/_simulator/stats")).build(),
                HttpResponse.BodyHandlers.ofString()));
        assertEquals(1, stats.get("byTask").get(ORDERS).get("fault:THROTTLE").asInt());
        assertEquals(1, stats.get("byTask").get(ORDERS).get("OK").asInt());
        assertEquals(2, stats.get("total").asInt());
    }

    private HttpRequest rawStepsRequest() {
        var source = client.alibaba(dev.migwatch.source.Provider.OMS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID,
                SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET, SignatureMethod.ACS3_HMAC_SHA256);
        var r = dev.migwatch.alibaba.AlibabaRpcRequests.build(source, "DescribeProjectSteps", "2019-09-01",
                java.util.Map.of("Id", ORDERS), java.time.Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(client.base + "/?" + r.queryString()));
        r.headers().forEach(b::header);
        return b.POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    private static String udtsBody(String task) throws Exception {
        var p = new java.util.LinkedHashMap<String, Object>();
        p.put("Action", "GetUDTSTaskStatus");
        p.put("PublicKey", SimulatorSettings.DEFAULT_PUBLIC_KEY);
        p.put("TaskId", task);
        p.put("Signature", dev.migwatch.udts.UcloudSigning.signature(p, SimulatorSettings.DEFAULT_PRIVATE_KEY));
        return Jsons.MAPPER.writeValueAsString(p);
    }
}
