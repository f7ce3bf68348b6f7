package dev.migwatch.udts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.TaskState;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.BadResponseException;
import dev.migwatch.provider.Json;
import dev.migwatch.provider.ProviderAdapter;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.provider.TaskListing;
import dev.migwatch.source.Provider;
import dev.migwatch.source.SourceConfig;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * UCloud UDTS: one GetUDTSTaskStatus call per task, sent as the official SDKs send it (POST, JSON body,
 * parameters and Signature in the body). Errors arrive as HTTP 200 with a non-zero RetCode ({@link UdtsResponses}).
 * The account's tasks are listed with ListUDTSTask ({@link UdtsListing}).
 */
public class UdtsAdapter implements ProviderAdapter {
    private static final TaskListing LISTING = new UdtsListing();
    static final String ACTION = "GetUDTSTaskStatus";

    public UdtsAdapter() {
    }

    @Override
    public Provider provider() {
        return Provider.UDTS;
    }

    @Override
    public List<ApiRequest> requests(SourceConfig source, String taskId, Instant now) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("TaskId", taskId);
        return List.of(signed(source, ACTION, params));
    }

    /** A signed UCloud API call: Action, PublicKey, ProjectId and the given parameters, with Signature, as a JSON body. */
    static ApiRequest signed(SourceConfig source, String action, Map<String, Object> actionParams) {
        if (source.secret() == null) {
            throw new IllegalStateException("source " + source.name() + " has no UCloud private key to sign with");
        }
        // insertion order is only for a readable body; the signature sorts the names itself
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Action", action);
        params.put("PublicKey", source.keyId());
        params.putAll(actionParams);
        if (source.projectId() != null && !source.projectId().isBlank()) {
            params.put("ProjectId", source.projectId());
        }
        String signature = UcloudSigning.signature(params, source.secret().reveal());
        ObjectNode body = Json.MAPPER.createObjectNode();
        params.forEach((k, v) -> body.put(k, v.toString()));
        body.put("Signature", signature);
        return new ApiRequest(action, "POST", "", Map.of("Content-Type", "application/json"), body.toString());
    }

    /**
     * UDTS retries a failed task by itself (RetryPending, then Starting) until CurRetryCount reaches MaxRetryCount: only
     * a failure with no retry left is idle.
     */
    @Override
    public boolean idle(TaskState task) {
        return idle(task.rawStatus(), task.retryCount(), task.maxRetryCount());
    }

    static boolean idle(String rawStatus, Integer retryCount, Integer maxRetryCount) {
        NormalizedStatus status = NormalizedStatus.of(rawStatus);
        if (!ProviderAdapter.idle(status)) {
            return false;
        }
        String word = rawStatus == null ? "" : rawStatus.replaceAll("[^A-Za-z]", "");
        if (word.equalsIgnoreCase("RetryPending")) {
            return false;
        }
        boolean retriesLeft = retryCount != null && maxRetryCount != null && retryCount < maxRetryCount;
        return !(status == NormalizedStatus.FAILED && word.equalsIgnoreCase("Failed") && retriesLeft);
    }

    @Override
    public Optional<TaskListing> listing() {
        return Optional.of(LISTING);
    }

    @Override
    public ApiCall classify(ApiResponse response) {
        return UdtsResponses.classify(response);
    }

    @Override
    public TaskContent map(SourceConfig source, String taskId, List<ApiResponse> responses) throws BadResponseException {
        ApiResponse response = responses.stream().filter(r -> ACTION.equals(r.api())).findFirst()
                .orElseThrow(() -> new BadResponseException(ACTION, "no " + ACTION + " response in the cycle"));
        return UdtsStatusMapper.map(response);
    }
}
