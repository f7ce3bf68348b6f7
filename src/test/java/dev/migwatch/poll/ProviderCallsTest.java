package dev.migwatch.poll;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.BodyText;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.http.NoHttpRetry;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link ProviderCalls#record} makes of an HTTP answer, as camel-http hands it over: the body's bytes. */
class ProviderCallsTest {
    private static final String SECRET = "sim-access-key-secret";
    private final DefaultCamelContext camel = new DefaultCamelContext();

    {
        NoHttpRetry.bind(camel.getRegistry());
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    /** One DescribeProject call of an OMS cycle answered with these bytes; the cycle as the route leaves it. */
    private PollCycle answered(byte[] body) {
        SourceConfig source = new SourceConfig("calls", Provider.OMS, URI.create("http://127.0.0.1:1"), "cn-hangzhou", List.of("t1"),
                Duration.ofSeconds(30), "AKID", Secret.of(SECRET), null, SignatureMethod.HMAC_SHA1, null,
                Duration.ofSeconds(1), Duration.ofSeconds(1));
        PollCycles cycles = new PollCycles(List.of(source), List.of(new OmsAdapter()),
                new SourceGuard(SourceGuard.Settings.defaults(), Clock.systemUTC()), Clock.systemUTC());
        ProviderCalls calls = new ProviderCalls(cycles, RetryPolicy.defaults(), Clock.systemUTC());
        Exchange exchange = new DefaultExchange(camel);
        List<ApiRequest> requests = cycles.open(new PollTarget("calls", "t1"), exchange);
        exchange.getMessage().setBody(requests.get(0));
        calls.begin(exchange);
        calls.prepare(exchange);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(body);
        calls.record(exchange);
        return exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
    }

    @Test
    void anAnswerTravelsAsTheBytesReceivedIntoItsRawBody() {
        byte[] body = "{\"Success\":true,\"RequestId\":\"r\",\"Data\":{\"Name\":\"全量迁移\"}}".getBytes(StandardCharsets.UTF_8);
        PollCycle cycle = answered(body);
        ApiResponse response = cycle.responses().get(0);
        assertSame(body, response.bodyText().utf8(), "not decoded into a String and encoded back");
        assertEquals("全量迁移", response.json().get("Data").get("Name").asText());
        RawBody raw = new PollCycles(List.of(cycle.source()), List.of(new OmsAdapter()),
                new SourceGuard(SourceGuard.Settings.defaults(), Clock.systemUTC()), Clock.systemUTC()).close(cycle).rawBodies().get(0);
        assertSame(body, raw.content().utf8(), "the raw store is handed the same bytes");
    }

    @Test
    void anAnswerThatEchoesTheSecretIsMaskedBeforeAnyoneReadsIt() {
        String echoed = "{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"key " + SECRET + "& 全\"}";
        ApiResponse response = answered(echoed.getBytes(StandardCharsets.UTF_8)).responses().get(0);
        assertFalse(response.body().contains(SECRET), response.body());
        assertEquals("{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"key ****& 全\"}", response.body());
        assertFalse(new String(response.bodyText().utf8(), StandardCharsets.UTF_8).contains(SECRET));
    }

    @Test
    void anAnswerThatIsNotUtf8IsABadResponseKeptAsItsBytesInBase64() {
        byte[] latin1 = "{\"Success\":true,\"Message\":\"déjà\"}".getBytes(StandardCharsets.ISO_8859_1);
        PollCycle cycle = answered(latin1);
        ApiResponse response = cycle.responses().get(0);
        assertEquals(BodyText.NOT_UTF8 + Base64.getEncoder().encodeToString(latin1), response.body());
        TaskSnapshot snapshot = new PollCycles(List.of(cycle.source()), List.of(new OmsAdapter()),
                new SourceGuard(SourceGuard.Settings.defaults(), Clock.systemUTC()), Clock.systemUTC()).close(cycle);
        ApiCall call = snapshot.calls().get(0);
        assertEquals("BAD_RESPONSE", call.outcome(), call.toString());
        assertTrue(call.errorMessage().contains("not UTF-8 text"), call.errorMessage());
        assertEquals(response.body(), snapshot.rawBodies().get(0).body());
    }
}
