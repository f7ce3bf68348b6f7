package dev.migwatch.poll;

import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.source.SourceConfig;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * The state of one task's poll while its calls are under way. It travels as an exchange property
 * through the split over the task's API calls, which is why it is mutable, and collects the responses.
 */
public final class PollCycle {
    private final String cycleId = UUID.randomUUID().toString();
    private final SourceConfig source;
    private final String taskId;
    private final Instant startedAt;
    private final List<ApiRequest> requests;
    private final SourceGuard.Refusal refusal;
    private final Signer signer;
    private final List<ApiResponse> responses = Collections.synchronizedList(new ArrayList<>());

    /** Signs the cycle's requests afresh for another attempt: a signature carries a timestamp and a nonce used once. */
    public interface Signer {
        List<ApiRequest> sign(Instant now);
    }

    PollCycle(SourceConfig source, String taskId, Instant startedAt, List<ApiRequest> requests, SourceGuard.Refusal refusal, Signer signer) {
        this.source = source;
        this.taskId = taskId;
        this.startedAt = startedAt;
        this.requests = List.copyOf(requests);
        this.refusal = refusal;
        this.signer = signer;
    }

    Signer signer() {
        return signer;
    }

    /** Why this cycle makes no calls (source paused or its breaker open), or null. */
    public SourceGuard.Refusal refusal() {
        return refusal;
    }

    public String cycleId() {
        return cycleId;
    }

    public SourceConfig source() {
        return source;
    }

    public String taskId() {
        return taskId;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public List<ApiRequest> requests() {
        return requests;
    }

    public void add(ApiResponse response) {
        responses.add(response);
    }

    public List<ApiResponse> responses() {
        synchronized (responses) {
            return List.copyOf(responses);
        }
    }
}
