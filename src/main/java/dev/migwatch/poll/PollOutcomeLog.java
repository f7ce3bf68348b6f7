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
 */
final class PollOutcomeLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.migwatch.poll");
    private final Map<String, String> lastState = new ConcurrentHashMap<>();

    void log(TaskSnapshot s) {
        String key = s.source() + "/" + s.taskId();
        if (s.succeeded()) {
            String state = "OK " + s.task().status() + " " + s.task().runningStep();
            String before = lastState.put(key, state);
            if (before != null && !before.startsWith("OK")) {
                LOG.info("{} {} recovered: polls succeed again", s.provider(), key);
            }
            if (!state.equals(before)) {
                LOG.info("{} {}: {} (raw '{}'), running step {}, progress {}%", s.provider(), key, s.task().status(),
                        s.task().rawStatus(), s.task().runningStep(), s.task().progressPct());
            } else {
                LOG.debug("{} {}: recorded {} steps, {} components", s.provider(), key, s.steps().size(), s.components().size());
            }
            return;
        }
        ApiCall failed = s.calls().stream().filter(c -> !c.ok()).reduce((a, b) -> b).orElse(null);
        String state = failed == null ? "FAILED" : failed.outcome() + " " + failed.errorCode();
        if (state.equals(lastState.put(key, state))) {
            return;
        }
        if (failed == null) {
            LOG.warn("{} {}: poll failed: no call was answered", s.provider(), key);
        } else if ("SKIPPED".equals(failed.outcome())) {
            LOG.warn("{} {}: not polled: {}", s.provider(), key, failed.errorMessage());
        } else {
            LOG.warn("{} {}: poll failed: {} {}{} after {} attempt(s): {} {}", s.provider(), key, failed.api(), failed.outcome(),
                    failed.httpStatus() == null ? "" : " (HTTP " + failed.httpStatus() + ")", failed.attempt(),
                    failed.errorCode(), failed.errorMessage());
        }
    }
}
