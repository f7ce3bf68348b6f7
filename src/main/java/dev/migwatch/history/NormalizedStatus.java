package dev.migwatch.history;

import java.util.Locale;

/**
 * One vocabulary for the three providers' task and step statuses, so that "which tasks are failing"
 * is one query. The provider's own word is always stored beside it (raw_status).
 */
public enum NormalizedStatus {
    PENDING, RUNNING, FINISHED, FAILED, STOPPED, UNKNOWN;

    private static final java.util.regex.Pattern NOT_A_LETTER = java.util.regex.Pattern.compile("[^A-Za-z]");

    /**
     * Maps any provider status word. Letters only are compared, case-insensitively, because DTS
     * decorates its states ("○ Finished") and the providers differ in case (FINISHED, Done, running).
     */
    public static NormalizedStatus of(String raw) {
        if (raw == null) {
            return UNKNOWN;
        }
        String word = NOT_A_LETTER.matcher(raw).replaceAll("").toLowerCase(Locale.ROOT);
        return switch (word) {
            case "init", "created", "starting", "notstarted", "pending", "waiting", "prepare", "prechecking", "precheckpass",
                 "notconfigured" -> PENDING;
            case "running", "monitoring", "checking", "dumping", "loading", "syncing", "synced", "started",
                 "catched", "incrementalsync", "migrating", "processing", "synchronizing", "initializing", "retrying",
                 "modifying", "runningmodifying", "runningmerging", "runningalarming", "normal" -> RUNNING;
            case "finished", "done", "success", "succeeded", "completed", "complete" -> FINISHED;
            case "failed", "failedunrecoverable", "stoppedunrecoverable", "retrypending", "exception", "error",
                 "fail", "migrationfailed", "initializefailed", "precheckfailed", "modifyfailed", "abnormal" -> FAILED;
            case "suspend", "suspended", "suspending", "stopping", "stopped", "paused", "released", "releasing", "deleted",
                 "locked" -> STOPPED;
            default -> UNKNOWN;
        };
    }
}
