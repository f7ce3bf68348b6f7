package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.alibaba.AlibabaRpcRequests;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.udts.UcloudSigning;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sends requests built and signed by migwatch's own request builders, as migwatch would. */
final class SimClient {
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final URI base;

    SimClient(ProviderSimulator sim) {
        this.base = sim.baseUri();
    }

    SourceConfig alibaba(Provider p, String keyId, String secret, SignatureMethod method) {
        return new SourceConfig("t", p, base, "cn-hangzhou", List.of(), Duration.ofMinutes(1), keyId, Secret.of(secret), null,
                method, null, Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    HttpResponse<String> oms(String action, String id, SignatureMethod method) throws Exception {
        return alibaba(alibaba(Provider.OMS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID, SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET, method),
                action, "2019-09-01", Map.of("Id", id), Instant.now());
    }

    HttpResponse<String> dts(String jobId) throws Exception {
        return alibaba(alibaba(Provider.DTS, SimulatorSettings.DEFAULT_ACCESS_KEY_ID, SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET,
                SignatureMethod.ACS3_HMAC_SHA256), "ListJobStep", "2020-01-01", Map.of("DtsJobId", jobId, "RegionId", "cn-hangzhou"), Instant.now());
    }

    HttpResponse<String> alibaba(SourceConfig source, String action, String version, Map<String, String> params, Instant now) throws Exception {
        return send(AlibabaRpcRequests.build(source, action, version, params, now));
    }

    HttpResponse<String> send(ApiRequest r) throws Exception {
        return send(r, Duration.ofSeconds(5));
    }

    HttpResponse<String> send(ApiRequest r, Duration timeout) throws Exception {
        URI uri = URI.create(base + "/" + (r.queryString() == null || r.queryString().isEmpty() ? "" : "?" + r.queryString()));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        r.headers().forEach(b::header);
        b.method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(r.body()));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> udts(String taskId, String publicKey, String privateKey) throws Exception {
        return udts(taskId, publicKey, privateKey, Duration.ofSeconds(5));
    }

    HttpResponse<String> udts(String taskId, String publicKey, String privateKey, Duration timeout) throws Exception {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Action", "GetUDTSTaskStatus");
        p.put("PublicKey", publicKey);
        p.put("TaskId", taskId);
        p.put("ProjectId", "org-sim");
        p.put("Signature", UcloudSigning.signature(p, privateKey));
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/")).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Jsons.MAPPER.writeValueAsString(p))).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** An OMS or DTS list call, signed with ACS3 by migwatch's builder; list parameters as the caller gives them. */
    HttpResponse<String> list(Provider p, Map<String, String> params) throws Exception {
        SourceConfig source = alibaba(p, SimulatorSettings.DEFAULT_ACCESS_KEY_ID, SimulatorSettings.DEFAULT_ACCESS_KEY_SECRET,
                SignatureMethod.ACS3_HMAC_SHA256);
        return p == Provider.OMS ? alibaba(source, "ListProjects", "2019-09-01", params, Instant.now())
                : alibaba(source, "DescribeDtsJobs", "2020-01-01", params, Instant.now());
    }

    HttpResponse<String> udtsList(int offset, int limit) throws Exception {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Action", "ListUDTSTask");
        p.put("PublicKey", SimulatorSettings.DEFAULT_PUBLIC_KEY);
        p.put("Offset", Integer.toString(offset));
        p.put("Limit", Integer.toString(limit));
        p.put("Signature", UcloudSigning.signature(p, SimulatorSettings.DEFAULT_PRIVATE_KEY));
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/")).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Jsons.MAPPER.writeValueAsString(p))).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> control(String what, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/_simulator/" + what)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> udts(String taskId) throws Exception {
        return udts(taskId, SimulatorSettings.DEFAULT_PUBLIC_KEY, SimulatorSettings.DEFAULT_PRIVATE_KEY);
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Jsons.MAPPER.readTree(r.body());
    }
}
