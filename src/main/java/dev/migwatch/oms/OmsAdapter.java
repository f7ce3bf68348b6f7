package dev.migwatch.oms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.alibaba.AlibabaResponses;
import dev.migwatch.alibaba.AlibabaRpcRequests;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.StepSample;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OceanBase Migration Service: a task (project) is described by three RPC calls, DescribeProject,
 * DescribeProjectSteps and DescribeProjectComponents, each taking the project id as {@code Id}. The account's projects
 * are listed with ListProjects ({@link OmsListing}).
 */
public class OmsAdapter implements ProviderAdapter {
    private static final TaskListing LISTING = new OmsListing();
    public static final String VERSION = "2019-09-01";
    public static final String DESCRIBE_PROJECT = "DescribeProject";
    public static final String DESCRIBE_PROJECT_STEPS = "DescribeProjectSteps";
    public static final String DESCRIBE_PROJECT_COMPONENTS = "DescribeProjectComponents";
    static final List<String> APIS = List.of(DESCRIBE_PROJECT, DESCRIBE_PROJECT_STEPS, DESCRIBE_PROJECT_COMPONENTS);

    public OmsAdapter() {
    }

    @Override
    public Provider provider() {
        return Provider.OMS;
    }

    @Override
    public List<ApiRequest> requests(SourceConfig source, String taskId, Instant now) {
        return APIS.stream().map(api -> AlibabaRpcRequests.build(source, api, VERSION, Map.of("Id", taskId), now)).toList();
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
    public int callsPerCycle() {
        return APIS.size();
    }

    @Override
    public TaskContent map(SourceConfig source, String taskId, List<ApiResponse> responses) throws BadResponseException {
        JsonNode project = body(responses, DESCRIBE_PROJECT);
        JsonNode steps = body(responses, DESCRIBE_PROJECT_STEPS);
        JsonNode components = body(responses, DESCRIBE_PROJECT_COMPONENTS);

        JsonNode projectData = project.get("Data");
        if (projectData == null || !projectData.isObject()) {
            throw new BadResponseException(DESCRIBE_PROJECT, "DescribeProject response has no Data object");
        }
        List<ErrorEvent> errors = new ArrayList<>();
        OmsErrors.collectResponse(DESCRIBE_PROJECT, project, errors);
        OmsErrors.collectResponse(DESCRIBE_PROJECT_STEPS, steps, errors);
        OmsErrors.collectResponse(DESCRIBE_PROJECT_COMPONENTS, components, errors);

        JsonNode stepArray = steps.get("Data");
        if (stepArray == null || !stepArray.isArray()) {
            stepArray = projectData.get("Steps"); // same shape, a little less fresh
        }
        List<StepSample> stepSamples = OmsStepMapper.map(stepArray, errors);
        List<ComponentSample> componentSamples = OmsComponentMapper.map(components.get("Data"), errors);
        TaskState task = OmsProjectMapper.map(projectData, stepSamples);
        return new TaskContent(task, stepSamples, componentSamples, errors);
    }

    /** The JSON object body of the latest attempt of one API; a missing, non-JSON or non-object body is a bad response. */
    static JsonNode body(List<ApiResponse> responses, String api) throws BadResponseException {
        ApiResponse response = responses.stream()
                .filter(r -> api.equals(r.api()))
                .max(Comparator.comparingInt(ApiResponse::attempt))
                .orElseThrow(() -> new BadResponseException(api, api + " response missing from the cycle"));
        return Json.object(response);
    }
}
