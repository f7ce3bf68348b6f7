package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.alibaba.AlibabaSigning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Alibaba Cloud API gateway in front of OMS and DTS: routes by action and version, and verifies
 * ACS3-HMAC-SHA256 and HMAC-SHA1 signatures by recomputing them with migwatch's {@link AlibabaSigning}
 * (so the simulator cannot drift from the client: a shared bug shows up against the official vectors,
 * which AlibabaSigningTest checks). Errors use the gateway's body and HTTP statuses.
 */
final class AlibabaGateway {
    static final Duration MAX_SKEW = Duration.ofMinutes(15);
    static final String OMS_VERSION = "2019-09-01";
    static final String DTS_VERSION = "2020-01-01";

    private final SimulatorSettings settings;
    private final Clock wallClock;
    /** keyId + nonce -> when first seen; entries older than 15 minutes are forgotten, as the gateway does. */
    private final Map<String, Instant> nonces = new ConcurrentHashMap<>();
    private volatile Instant lastPrune = Instant.EPOCH;

    AlibabaGateway(SimulatorSettings settings, Clock wallClock) {
        this.settings = settings;
        this.wallClock = wallClock;
    }

    /** A verified call. */
    record Call(Provider provider, String action, String version, Map<String, String> params) {
    }

    enum Provider { OMS, DTS }

    /** Either a verified call or the gateway's refusal. */
    record Outcome(Call call, SimAnswer refusal) {
    }

    static boolean isAlibaba(SimRequest r) {
        return r.header("x-acs-action") != null || r.header("authorization") != null || r.params().containsKey("AccessKeyId")
                || r.params().containsKey("SignatureMethod") || productOf(r.params().get("Action")) != null;
    }

    static Provider productOf(String action) {
        if (action == null) {
            return null;
        }
        return switch (action) {
            case "DescribeProject", "DescribeProjectSteps", "DescribeProjectComponents", "ListProjects" -> Provider.OMS;
            case "ListJobStep", "DescribeDtsJobs" -> Provider.DTS;
            default -> null;
        };
    }

    /** The list APIs: they take no task id. */
    static boolean isList(String action) {
        return "ListProjects".equals(action) || "DescribeDtsJobs".equals(action);
    }

    Outcome verify(SimRequest r) {
        boolean acs3 = r.header("x-acs-action") != null || r.header("authorization") != null;
        Map<String, String> params = r.params();
        String action = acs3 ? r.header("x-acs-action") : params.get("Action");
        String version = acs3 ? r.header("x-acs-version") : params.get("Version");
        Provider provider = productOf(action);
        // routing comes first at the real gateway: an unknown API is refused whatever the signature
        if (provider == null) {
            return refuse(r, null, 404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
        }
        String expectedVersion = provider == Provider.OMS ? OMS_VERSION : DTS_VERSION;
        if (!expectedVersion.equals(version)) {
            return refuse(r, provider, 400, "InvalidVersion", "Specified parameter Version is not valid.");
        }
        SimAnswer refusal = acs3 ? verifyAcs3(r, provider) : verifyV2(r, provider, params);
        if (refusal != null) {
            return new Outcome(null, refusal);
        }
        return new Outcome(new Call(provider, action, version, params), null);
    }

    private SimAnswer verifyAcs3(SimRequest r, Provider p) {
        String authorization = r.header("authorization");
        if (authorization == null) {
            return error(r, p, 400, "MissingAuthorization", "Authorization is mandatory for this action.");
        }
        if (!authorization.startsWith(AlibabaSigning.ACS3 + " ")) {
            return error(r, p, 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.");
        }
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : authorization.substring(AlibabaSigning.ACS3.length() + 1).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        String keyId = parts.get("Credential");
        String signedHeaders = parts.get("SignedHeaders");
        String signature = parts.get("Signature");
        if (keyId == null || signedHeaders == null || signature == null) {
            return error(r, p, 400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.");
        }
        SimAnswer common = checkKeyTimeToken(r, p, keyId, r.header("x-acs-date"), r.header("x-acs-security-token"));
        if (common != null) {
            return common;
        }
        String body = r.bodyText();
        String contentSha = r.header("x-acs-content-sha256");
        Map<String, String> toSign = new LinkedHashMap<>();
        for (String name : signedHeaders.split(";")) {
            String value = r.header(name);
            toSign.put(name, value == null ? "" : value);
        }
        AlibabaSigning.Acs3 canonical = AlibabaSigning.acs3(r.method(), r.path(), r.query(), toSign, body);
        String expected = AlibabaSigning.acs3Signature(canonical, settings.accessKeySecret());
        if (contentSha != null && !contentSha.equalsIgnoreCase(AlibabaSigning.sha256Hex(body))) {
            // unconfirmed wording; the code is the one the gateway uses for any signature mismatch
            return error(r, p, 400, "SignatureDoesNotMatch",
                    "Specified signature is not matched with our calculation. x-acs-content-sha256 does not match the request body.");
        }
        if (!constantTimeEquals(expected, signature.toLowerCase(Locale.ROOT))) {
            return error(r, p, 400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation. server string to sign is:"
                    + AlibabaSigning.ACS3 + "\n" + AlibabaSigning.sha256Hex(canonical.canonicalRequest()));
        }
        return checkNonce(r, p, keyId, r.header("x-acs-signature-nonce"));
    }

    private SimAnswer verifyV2(SimRequest r, Provider p, Map<String, String> params) {
        String signature = params.get("Signature");
        if (signature == null || signature.isEmpty()) {
            return error(r, p, 400, "MissingSignature", "Signature is mandatory for this action.");
        }
        String keyId = params.get("AccessKeyId");
        if (keyId == null || keyId.isEmpty()) {
            return error(r, p, 400, "MissingAccessKeyId", "AccessKeyId is mandatory for this action.");
        }
        SimAnswer common = checkKeyTimeToken(r, p, keyId, params.get("Timestamp"), params.get("SecurityToken"));
        if (common != null) {
            return common;
        }
        if (!"HMAC-SHA1".equals(params.get("SignatureMethod"))) {
            return error(r, p, 400, "InvalidSignatureMethod", "Specified signature method is not valid.");
        }
        String expected = AlibabaSigning.hmacSha1Signature(r.method(), params, settings.accessKeySecret());
        if (!constantTimeEquals(expected, signature)) {
            String stringToSign = r.method().toUpperCase(Locale.ROOT) + "&%2F&" + AlibabaSigning.percentEncode(AlibabaSigning.canonicalQuery(params));
            return error(r, p, 400, "SignatureDoesNotMatch",
                    "Specified signature is not matched with our calculation. server string to sign is:" + stringToSign);
        }
        return checkNonce(r, p, keyId, params.get("SignatureNonce"));
    }

    private SimAnswer checkKeyTimeToken(SimRequest r, Provider p, String keyId, String timestamp, String token) {
        if (!settings.accessKeyId().equals(keyId)) {
            return error(r, p, 404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        }
        if (timestamp == null || timestamp.isEmpty()) {
            return error(r, p, 400, "MissingTimestamp", "Timestamp is mandatory for this action.");
        }
        Instant sent;
        try {
            sent = Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return error(r, p, 400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
        }
        // the real wall clock, never the accelerated one: a client signs with its own real clock
        if (Duration.between(sent, wallClock.instant()).abs().compareTo(MAX_SKEW) > 0) {
            return error(r, p, 400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
        }
        if (token != null && !token.isEmpty() && !token.equals(settings.securityToken())) {
            // real STS tokens are long base64 strings: a short or non-base64 one cannot even be parsed
            boolean malformed = token.length() < 16 || !token.matches("[A-Za-z0-9+/=._-]+");
            return malformed
                    ? error(r, p, 403, "InvalidSecurityToken.Malformed", "Specified SecurityToken is malformed.")
                    : error(r, p, 403, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired.");
        }
        return null;
    }

    private SimAnswer checkNonce(SimRequest r, Provider p, String keyId, String nonce) {
        if (nonce == null || nonce.isEmpty()) {
            return error(r, p, 400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action.");
        }
        Instant now = wallClock.instant();
        Instant forgetBefore = now.minus(settings.nonceWindow());
        if (nonces.size() > 1000 && now.isAfter(lastPrune.plusSeconds(1))) {
            lastPrune = now; // at most once a second: a full scan per request would cost more than it saves
            nonces.values().removeIf(seen -> seen.isBefore(forgetBefore));
        }
        Instant first = nonces.putIfAbsent(keyId + "\n" + nonce, now);
        if (first != null && first.isAfter(forgetBefore)) {
            return error(r, p, 400, "SignatureNonceUsed", "Specified signature nonce was used already.");
        }
        if (first != null) {
            nonces.put(keyId + "\n" + nonce, now);
        }
        return null;
    }

    private Outcome refuse(SimRequest r, Provider p, int status, String code, String message) {
        return new Outcome(null, error(r, p, status, code, message));
    }

    static SimAnswer error(SimRequest r, Provider p, int status, String code, String message) {
        return errorFor(r.hostName(), p, status, code, message);
    }

    /** The gateway's error body: {"RequestId","HostId","Code","Message","Recommend"}. */
    static SimAnswer errorFor(String host, Provider p, int status, String code, String message) {
        String requestId = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
        ObjectNode body = Jsons.obj();
        body.put("RequestId", requestId);
        body.put("HostId", host);
        body.put("Code", code);
        body.put("Message", message);
        String product = p == null ? "" : p == Provider.OMS ? "OceanBasePro" : "Dts";
        body.put("Recommend", "https://api.aliyun.com/troubleshoot?q=" + code + "&product=" + product);
        return new SimAnswer(status, Map.of("x-acs-request-id", requestId), body, code);
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
