package dev.migwatch.dts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.alibaba.AlibabaRpcRequests;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.TaskPart;
import dev.migwatch.history.TaskState;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.BadResponseException;
import dev.migwatch.provider.Json;
import dev.migwatch.provider.ListedTask;
import dev.migwatch.provider.ProviderAdapter;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.provider.TaskListing;
import dev.migwatch.provider.TaskListing.ListQuery;
import dev.migwatch.provider.TaskListing.ListedPage;
import dev.migwatch.source.SourceConfig;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * DescribeDtsJobs (2020-01-01): one JobType a call (MIGRATION is the API's default, so every type is asked for by
 * name), Region required, PageNumber from 1 and PageSize 30 (the largest value the current reference allows; an
 * older one allowed 100). An entry carries the job's Status, Delay, Checkpoint and Performance, but not its steps.
 */
final class DtsListing implements TaskListing {
    static final String DESCRIBE_DTS_JOBS = "DescribeDtsJobs";
    static final int PAGE_SIZE = 30;
    /** Change tracking (SUBSCRIBE) jobs have no migration steps to watch: listed only when discover.type asks. */
    static final List<String> DEFAULT_TYPES = List.of("MIGRATION", "SYNC");

    @Override
    public List<ListQuery> queries(SourceConfig source) {
        Set<String> types = source.discovery() == null ? Set.of() : source.discovery().types();
        return (types.isEmpty() ? DEFAULT_TYPES : types.stream().sorted().toList()).stream()
                .map(t -> new ListQuery(DESCRIBE_DTS_JOBS, t)).toList();
    }

    @Override
    public ApiRequest pageRequest(SourceConfig source, ListQuery query, int page, Instant now) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Region", source.region());
        params.put("RegionId", source.region());
        params.put("JobType", query.type());
        params.put("PageNumber", Integer.toString(page + 1));
        params.put("PageSize", Integer.toString(PAGE_SIZE));
        return AlibabaRpcRequests.build(source, DESCRIBE_DTS_JOBS, DtsAdapter.VERSION, params, now);
    }

    @Override
    public ListedPage readPage(ListQuery query, ApiResponse response) throws BadResponseException {
        JsonNode body = Json.object(response);
        JsonNode jobs = body.get("DtsJobList");
        if (jobs == null || !jobs.isArray()) {
            throw new BadResponseException(DESCRIBE_DTS_JOBS, "DescribeDtsJobs response has no DtsJobList array (Success="
                    + Json.text(body, "Success") + ")");
        }
        List<ListedTask> tasks = new ArrayList<>();
        for (JsonNode job : jobs) {
            String id = Json.text(job, "DtsJobId");
            if (id == null) {
                continue;
            }
            Set<String> tags = new LinkedHashSet<>();
            for (JsonNode tag : job.path("TagList")) {
                String key = Json.text(tag, "TagKey");
                if (key != null) {
                    String value = Json.text(tag, "TagValue");
                    tags.add(key + "=" + (value == null ? "" : value));
                }
            }
            String status = Json.text(job, "Status");
            String name = Json.text(job, "DtsJobName");
            NormalizedStatus normalized = NormalizedStatus.of(status);
            // the query's type (MIGRATION / SYNC), not the entry's own word for it (online / sync)
            ObjectNode entry = ((ObjectNode) job).deepCopy().put("migwatchJobType", query.type());
            tasks.add(new ListedTask(id, name == null ? id : name, status, normalized, query.type(), tags,
                    ProviderAdapter.idle(normalized), DESCRIBE_DTS_JOBS, entry));
        }
        return new ListedPage(tasks, jobs.size() < PAGE_SIZE);
    }

    /**
     * The job as a whole: status, delay, full-migration progress, error. Its steps (ListJobStep) are not in the entry and
     * stay as stored; the checkpoint and RPS, which migwatch keeps per step, go to the task's detail_json.
     */
    @Override
    public Optional<TaskContent> content(ListedTask task) throws BadResponseException {
        JsonNode job = task.entry();
        if (job == null || !job.isObject()) {
            throw new BadResponseException(DESCRIBE_DTS_JOBS, "no list entry to record " + task.taskId() + " from");
        }
        String status = Json.text(job, "Status");
        JsonNode init = job.get("DataInitializationStatus");
        Long delay = Json.longValue(job, "Delay");
        // documented units: milliseconds for a migration task, seconds for a synchronization task
        Long delaySeconds = delay == null || delay < 0 ? null : "MIGRATION".equals(task.type()) ? delay / 1000 : delay;
        String error = Json.text(job, "ErrorMessage");
        ObjectNode detail = Json.MAPPER.createObjectNode();
        for (String field : List.of("DtsInstanceID", "JobType", "DtsJobDirection", "MigrationMode", "TagList", "Checkpoint", "Performance")) {
            JsonNode v = job.get(field);
            if (v != null && !v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
                detail.set(field, v);
            }
        }
        TaskState state = new TaskState(Json.text(job, "DtsJobName"), task.type() == null ? null : task.type().toUpperCase(Locale.ROOT),
                status, NormalizedStatus.of(status), null, Json.doubleValue(init, "Percent"), delaySeconds, null,
                Json.longValue(init, "Progress"), null, null, null, null, null, error == null || error.isBlank() ? null : error, null,
                Json.instant(job, "CreateTime"), null, null, detail.isEmpty() ? null : Json.json(detail));
        return Optional.of(new TaskContent(state, List.of(), List.of(), List.of(), Set.of(TaskPart.STEPS, TaskPart.COMPONENTS)));
    }
}
