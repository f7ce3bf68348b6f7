package dev.migwatch.poll;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.TaskSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs what each task's polls amount to, one line per change of state rather than per poll, so a task
 * that keeps failing (bad credentials, say) does not flood the log, and a recovery is visible.
 * A task's state has three parts, each logged when it changes: how its polls succeed (status, step),
 * how they fail (outcome and code), and why it is not polled (skip reason). A skip that is the direct
 * consequence of the failure just logged (the pause after AUTH or THROTTLED) is not logged again, and
 * a failure that comes back the same after a skip (the breaker's probe, the next try after a pause) is
 * the same state: bad credentials give one WARN line until they are fixed.
 */
final class PollOutcomeLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.migwatch.poll");
    private final Map<String, TaskLogState> states = new ConcurrentHashMap<>();

    private static final class TaskLogState {
        String ok;
        String failure;
        String skip;
    }

    void log(TaskSnapshot s) {
        String key = s.source() + "/" + s.taskId();
        TaskLogState st = states.computeIfAbsent(key, k -> new TaskLogState());
        synchronized (st) {
            if (s.succeeded()) {
                logSuccess(s, key, st);
            } else {
                logFailure(s, key, st);
            }
        }
    }

    private static void logSuccess(TaskSnapshot s, String key, TaskLogState st) {
        String state = s.task().status() + " " + s.task().runningStep();
        if (st.failure != null || st.skip != null) {
            LOG.info("{} {} recovered: polls succeed again", s.provider(), key);
            st.failure = null;
            st.skip = null;
        }
        if (!state.equals(st.ok)) {
            st.ok = state;
            LOG.info("{} {}: {} (raw '{}'), running step {}, progress {}%", s.provider(), key, s.task().status(),
                    s.task().rawStatus(), s.task().runningStep(), s.task().progressPct());
        } else {
            LOG.debug("{} {}: recorded {} steps, {} components", s.provider(), key, s.steps().size(), s.components().size());
        }
    }

    private static void logFailure(TaskSnapshot s, String key, TaskLogState st) {
        ApiCall failed = s.calls().stream().filter(c -> !c.ok()).reduce((a, b) -> b).orElse(null);
        if (failed != null && "SKIPPED".equals(failed.outcome())) {
            String skip = failed.errorCode();
            if (skip.equals(st.skip) || consequence(st.failure, skip)) {
                LOG.debug("{} {}: not polled: {}", s.provider(), key, failed.errorMessage());
            } else {
                LOG.warn("{} {}: not polled: {}", s.provider(), key, failed.errorMessage());
            }
            st.skip = skip;
            return;
        }
        String state = failed == null ? "FAILED" : failed.outcome() + " " + failed.errorCode();
        if (state.equals(st.failure)) {
            LOG.debug("{} {}: poll failed again: {}", s.provider(), key, state);
            return;
        }
        st.failure = state;
        st.skip = null;
        if (failed == null) {
            LOG.warn("{} {}: poll failed: no call was answered", s.provider(), key);
        } else {
            LOG.warn("{} {}: poll failed: {} {}{} after {} attempt(s): {} {}{}", s.provider(), key, failed.api(), failed.outcome(),
                    failed.httpStatus() == null ? "" : " (HTTP " + failed.httpStatus() + ")", failed.attempt(),
                    failed.errorCode(), failed.errorMessage(), advice(failed.outcome()));
        }
    }

    /** The pause that follows a failure of this kind: already explained by the failure's line. */
    private static boolean consequence(String failure, String skip) {
        return failure != null && ("AUTH_PAUSE".equals(skip) && failure.startsWith("AUTH ")
                || "THROTTLED".equals(skip) && failure.startsWith("THROTTLED "));
    }

    private static String advice(String outcome) {
        return switch (outcome) {
            case "AUTH" -> " (check the source's credentials; it is polled again after migwatch.pause.after-auth-failure)";
            case "THROTTLED" -> " (the source is paused for the time the provider asks)";
            default -> "";
        };
    }
}
