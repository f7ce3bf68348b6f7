package dev.migwatch.udts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.BadResponseException;
import dev.migwatch.provider.Json;
import dev.migwatch.provider.ListedTask;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.provider.TaskListing;
import dev.migwatch.provider.TaskListing.ListQuery;
import dev.migwatch.provider.TaskListing.ListedPage;
import dev.migwatch.source.SourceConfig;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ListUDTSTask: Offset and Limit (the SDK documents a default Limit of 20 and no maximum, so migwatch asks for 20 a
 * page, the one size it knows is served whole), no total: the last page is the first one that comes back short.
 * Entries hold TaskId, Name, Type, Status, retry counts and Progress, but not the binlog position or the failure
 * message of GetUDTSTaskStatus: idle UDTS tasks are still polled with their own call.
 */
final class UdtsListing implements TaskListing {
    static final String LIST_UDTS_TASK = "ListUDTSTask";
    static final int LIMIT = 20;

    @Override
    public List<ListQuery> queries(SourceConfig source) {
        return List.of(new ListQuery(LIST_UDTS_TASK, null));
    }

    @Override
    public ApiRequest pageRequest(SourceConfig source, ListQuery query, int page, Instant now) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("Offset", Integer.toString(page * LIMIT));
        params.put("Limit", Integer.toString(LIMIT));
        return UdtsAdapter.signed(source, LIST_UDTS_TASK, params);
    }

    @Override
    public ListedPage readPage(ListQuery query, ApiResponse response) throws BadResponseException {
        JsonNode body = Json.object(response);
        JsonNode data = body.get("Data");
        if (data == null || data.isNull()) {
            return new ListedPage(List.of(), true); // an account without tasks may leave Data out
        }
        if (!data.isArray()) {
            throw new BadResponseException(LIST_UDTS_TASK, "ListUDTSTask Data is not an array");
        }
        List<ListedTask> tasks = new ArrayList<>();
        for (JsonNode t : data) {
            String id = Json.text(t, "TaskId");
            if (id == null) {
                continue;
            }
            String status = Json.text(t, "Status");
            String name = Json.text(t, "Name");
            tasks.add(new ListedTask(id, name == null ? id : name, status, NormalizedStatus.of(status), Json.text(t, "Type"), Set.of(),
                    UdtsAdapter.idle(status, Json.intValue(t, "CurRetryCount"), Json.intValue(t, "MaxRetryCount")), LIST_UDTS_TASK, t));
        }
        return new ListedPage(tasks, data.size() < LIMIT);
    }

    /** Not from the list: its entries lack the binlog position and failure message a status call gives. */
    @Override
    public Optional<TaskContent> content(ListedTask task) {
        return Optional.empty();
    }

    @Override
    public boolean recordsIdleTasks() {
        return false;
    }
}
