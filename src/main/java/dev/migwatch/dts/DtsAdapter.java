package dev.migwatch.dts;

import dev.migwatch.alibaba.AlibabaResponses;
import dev.migwatch.alibaba.AlibabaRpcRequests;
import dev.migwatch.history.ApiCall;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.BadResponseException;
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
 * Alibaba Cloud DTS: one ListJobStep call per task describes all its steps and sub-steps. Signing and error
 * classification are the shared Alibaba RPC ones; only the mapping is DTS's own ({@link DtsResponseMapper}). The account's
 * jobs are listed with DescribeDtsJobs ({@link DtsListing}).
 */
public class DtsAdapter implements ProviderAdapter {
    private static final TaskListing LISTING = new DtsListing();
    static final String ACTION = "ListJobStep";
    static final String VERSION = "2020-01-01";

    public DtsAdapter() {
    }

    @Override
    public Provider provider() {
        return Provider.DTS;
    }

    @Override
    public List<ApiRequest> requests(SourceConfig source, String taskId, Instant now) {
        // LinkedHashMap, not Map.of: RegionId may be null, and the builder leaves empty parameters out
        Map<String, String> params = new LinkedHashMap<>();
        params.put("DtsJobId", taskId);
        params.put("RegionId", source.region());
        return List.of(AlibabaRpcRequests.build(source, ACTION, VERSION, params, now));
    }

    @Override
    public Optional<TaskListing> listing() {
        return Optional.of(LISTING);
    }

    @Override
    public ApiCall classify(ApiResponse response) {
        return AlibabaResponses.classify(response);
    }

    @Override
    public TaskContent map(SourceConfig source, String taskId, List<ApiResponse> responses) throws BadResponseException {
        ApiResponse response = responses.stream().filter(r -> ACTION.equals(r.api())).findFirst()
                .orElseThrow(() -> new BadResponseException(ACTION, "no " + ACTION + " response in the cycle"));
        return DtsResponseMapper.map(response);
    }
}
