package dev.migwatch.simulator;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.migwatch.udts.UcloudSigning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * UCloud's API gateway: reads the parameters from a JSON body (official SDKs) or the query/form (GET),
 * and verifies the signature with migwatch's {@link UcloudSigning}. Errors are HTTP 200 with a RetCode.
 */
final class UcloudGateway {
    static final String STATUS = "GetUDTSTaskStatus";
    static final String LIST = "ListUDTSTask";
    private final SimulatorSettings settings;

    UcloudGateway(SimulatorSettings settings) {
        this.settings = settings;
    }

    /** Either the verified parameters or the refusal. */
    record Outcome(Map<String, Object> params, SimAnswer refusal) {
    }

    static boolean isUcloud(SimRequest r) {
        if (STATUS.equals(r.params().get("Action")) || LIST.equals(r.params().get("Action"))) {
            return true;
        }
        String body = r.bodyText().stripLeading();
        return body.startsWith("{") && body.contains("\"Action\"");
    }

    static Map<String, Object> params(SimRequest r) {
        String body = r.bodyText().strip();
        if (body.startsWith("{")) {
            try {
                return Jsons.MAPPER.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { });
            } catch (Exception e) {
                return null;
            }
        }
        return new LinkedHashMap<>(r.params());
    }

    Outcome verify(SimRequest r) {
        Map<String, Object> p = params(r);
        if (p == null) {
            // unconfirmed: the gateway's answer to a body it cannot parse
            return new Outcome(null, refusal(160, "Missing Action"));
        }
        Object publicKey = p.get("PublicKey");
        if (publicKey == null || !settings.ucloudPublicKey().equals(publicKey.toString())) {
            return new Outcome(null, refusal(172, "User Not Exists"));
        }
        Object signature = p.get("Signature");
        String expected = UcloudSigning.signature(p, settings.ucloudPrivateKey());
        if (signature == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                signature.toString().getBytes(StandardCharsets.UTF_8))) {
            return new Outcome(null, refusal(171, "Signature VerifyAC Error"));
        }
        if (LIST.equals(p.get("Action"))) {
            return new Outcome(p, null);
        }
        if (!STATUS.equals(p.get("Action"))) {
            // unconfirmed wording for an action this simulator does not serve
            return new Outcome(null, refusal(160, "Action [" + p.get("Action") + "] not found"));
        }
        Object taskId = p.get("TaskId");
        if (taskId == null || taskId.toString().isEmpty()) {
            return new Outcome(null, refusal(230, "Params [TaskId] not available"));
        }
        return new Outcome(p, null);
    }

    static SimAnswer refusal(int retCode, String message) {
        return new SimAnswer(200, Map.of(), UdtsSimulation.error(retCode, message), "RetCode " + retCode);
    }
}
