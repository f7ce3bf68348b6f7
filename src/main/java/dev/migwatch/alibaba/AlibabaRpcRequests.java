package dev.migwatch.alibaba;

import dev.migwatch.provider.ApiRequest;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds signed RPC-style requests for Alibaba Cloud products (OMS, DTS), the way the official SDK
 * sends them: {@code POST /}, signed with ACS3-HMAC-SHA256 (parameters in the query) or HMAC-SHA1
 * (common parameters in the query, business parameters as a form body).
 */
public final class AlibabaRpcRequests {
    public static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    static final String FORM = "application/x-www-form-urlencoded";

    private AlibabaRpcRequests() {
    }

    public static ApiRequest build(SourceConfig source, String action, String version, Map<String, String> params, Instant now) {
        return build(source, action, version, params, now, UUID.randomUUID().toString());
    }

    public static ApiRequest build(SourceConfig source, String action, String version, Map<String, String> params,
                                   Instant now, String nonce) {
        // an optional parameter without a value is not sent, and so not signed, by either method
        Map<String, String> given = new TreeMap<>();
        params.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                given.put(k, v);
            }
        });
        return signed(source, action, version, given, now, nonce);
    }

    private static ApiRequest signed(SourceConfig source, String action, String version, Map<String, String> params,
                                     Instant now, String nonce) {
        String timestamp = TIMESTAMP.format(now.truncatedTo(ChronoUnit.SECONDS));
        String secret = source.secret().reveal();
        if (source.signatureMethod() == SignatureMethod.HMAC_SHA1) {
            Map<String, String> common = new TreeMap<>();
            common.put("Action", action);
            common.put("Version", version);
            common.put("Format", "JSON");
            common.put("AccessKeyId", source.keyId());
            common.put("SignatureMethod", "HMAC-SHA1");
            common.put("SignatureVersion", "1.0");
            common.put("SignatureNonce", nonce);
            common.put("Timestamp", timestamp);
            if (source.securityToken() != null) {
                common.put("SecurityToken", source.securityToken().reveal());
            }
            Map<String, String> all = new TreeMap<>(common);
            all.putAll(params);
            String signature = AlibabaSigning.hmacSha1Signature("POST", all, secret);
            String query = AlibabaSigning.canonicalQuery(common) + "&Signature=" + AlibabaSigning.percentEncode(signature);
            return new ApiRequest(action, "POST", query, Map.of("Content-Type", FORM), AlibabaSigning.canonicalQuery(params));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-acs-action", action);
        headers.put("x-acs-version", version);
        headers.put("x-acs-date", timestamp);
        headers.put("x-acs-signature-nonce", nonce);
        headers.put("x-acs-content-sha256", AlibabaSigning.sha256Hex(""));
        if (source.securityToken() != null) {
            headers.put("x-acs-security-token", source.securityToken().reveal());
        }
        Map<String, String> toSign = new LinkedHashMap<>(headers);
        toSign.put("host", hostHeader(source.endpoint()));
        Map<String, String> query = new TreeMap<>(params);
        AlibabaSigning.Acs3 canonical = AlibabaSigning.acs3("POST", "/", query, toSign, "");
        headers.put("Authorization", AlibabaSigning.authorization(source.keyId(), canonical, AlibabaSigning.acs3Signature(canonical, secret)));
        return new ApiRequest(action, "POST", AlibabaSigning.canonicalQuery(query), headers, null);
    }

    /** The Host header the HTTP client will send: the port only when it is not the scheme's default. */
    public static String hostHeader(URI endpoint) {
        return endpoint.getPort() == -1 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
    }
}
