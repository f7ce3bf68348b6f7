package dev.migwatch.udts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ApiCall;
import dev.migwatch.poll.ApiRequest;
import dev.migwatch.poll.ApiResponse;
import dev.migwatch.poll.BadResponseException;
import dev.migwatch.poll.Json;
import dev.migwatch.poll.ProviderAdapter;
import dev.migwatch.poll.TaskContent;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SourceConfig;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UCloud UDTS: one GetUDTSTaskStatus call per task, sent as the official SDKs send it (POST, JSON body,
 * parameters and Signature in the body). Errors arrive as HTTP 200 with a non-zero RetCode ({@link UdtsResponses}).
 */
public class UdtsAdapter implements ProviderAdapter {
    static final String ACTION = "GetUDTSTaskStatus";

    public UdtsAdapter() {
    }

    @Override
    public Provider provider() {
        return Provider.UDTS;
    }

    @Override
    public List<ApiRequest> requests(SourceConfig source, String taskId, Instant now) {
        if (source.secret() == null) {
            throw new IllegalStateException("source " + source.name() + " has no UCloud private key to sign with");
        }
        // insertion order is only for a readable body; the signature sorts the names itself
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Action", ACTION);
        params.put("PublicKey", source.keyId());
        params.put("TaskId", taskId);
        if (source.projectId() != null && !source.projectId().isBlank()) {
            params.put("ProjectId", source.projectId());
        }
        String signature = UcloudSigning.signature(params, source.secret().reveal());
        ObjectNode body = Json.MAPPER.createObjectNode();
        params.forEach((k, v) -> body.put(k, v.toString()));
        body.put("Signature", signature);
        return List.of(new ApiRequest(ACTION, "POST", "", Map.of("Content-Type", "application/json"), body.toString()));
    }

    @Override
    public ApiCall classify(ApiResponse response) {
        return UdtsResponses.classify(response);
    }

    @Override
    public TaskContent map(SourceConfig source, String taskId, List<ApiResponse> responses) throws BadResponseException {
        ApiResponse response = responses.stream().filter(r -> ACTION.equals(r.api())).findFirst()
                .orElseThrow(() -> new BadResponseException(ACTION, "no " + ACTION + " response in the cycle"));
        return UdtsStatusMapper.map(response.body());
    }
}
