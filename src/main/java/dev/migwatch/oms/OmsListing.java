package dev.migwatch.oms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.alibaba.AlibabaRpcRequests;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ListProjects (oceanbasepro 2019-09-01): the account's projects, PageNumber from 1, at most 150 a page (documented
 * maximum), newest first. Each entry is the project as DescribeProject describes it, Steps and ExtraInfo (SyncDelay)
 * included, so an idle project is recorded from its entry; components are not in it.
 */
final class OmsListing implements TaskListing {
    static final String LIST_PROJECTS = "ListProjects";
    static final int PAGE_SIZE = 150;

    /** One query for all projects, or one per type when discover.type names some (the API takes one Type a call). */
    @Override
    public List<ListQuery> queries(SourceConfig source) {
        Set<String> types = source.discovery() == null ? Set.of() : source.discovery().types();
        return types.isEmpty() ? List.of(new ListQuery(LIST_PROJECTS, null))
                : types.stream().sorted().map(t -> new ListQuery(LIST_PROJECTS, t)).toList();
    }

    @Override
    public ApiRequest pageRequest(SourceConfig source, ListQuery query, int page, Instant now) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("PageNumber", Integer.toString(page + 1));
        params.put("PageSize", Integer.toString(PAGE_SIZE));
        params.put("Type", query.type());
        return AlibabaRpcRequests.build(source, LIST_PROJECTS, OmsAdapter.VERSION, params, now);
    }

    @Override
    public ListedPage readPage(ListQuery query, ApiResponse response) throws BadResponseException {
        JsonNode body = Json.object(response);
        JsonNode data = body.get("Data");
        if (data == null || !data.isArray()) {
            throw new BadResponseException(LIST_PROJECTS, "ListProjects response has no Data array (Success=" + Json.text(body, "Success") + ")");
        }
        List<ListedTask> tasks = new ArrayList<>();
        for (JsonNode p : data) {
            String id = Json.text(p, "Id");
            if (id == null) {
                continue; // nothing to poll without an id
            }
            String status = Json.text(p, "Status");
            Set<String> labels = new LinkedHashSet<>();
            for (JsonNode l : p.path("Labels")) {
                for (String f : List.of("Name", "Id")) {
                    String v = Json.text(l, f);
                    if (v != null) {
                        labels.add(v);
                    }
                }
            }
            String name = Json.text(p, "Name");
            NormalizedStatus normalized = NormalizedStatus.of(status);
            tasks.add(new ListedTask(id, name == null ? id : name, status, normalized, Json.text(p, "Type"), labels,
                    ProviderAdapter.idle(normalized), LIST_PROJECTS, p));
        }
        return new ListedPage(tasks, data.size() < PAGE_SIZE);
    }

    /** The project and its steps, as DescribeProject and DescribeProjectSteps give them; its components stay as stored. */
    @Override
    public Optional<TaskContent> content(ListedTask task) throws BadResponseException {
        JsonNode entry = task.entry();
        if (entry == null || !entry.isObject()) {
            throw new BadResponseException(LIST_PROJECTS, "no list entry to record " + task.taskId() + " from");
        }
        List<ErrorEvent> errors = new ArrayList<>();
        List<StepSample> steps = OmsStepMapper.map(entry.get("Steps"), errors);
        TaskState state = OmsProjectMapper.map(entry, steps);
        return Optional.of(new TaskContent(state, steps, List.of(), errors, Set.of(TaskPart.COMPONENTS)));
    }
}
