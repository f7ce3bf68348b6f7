package dev.migwatch.history;

/**
 * An error a response, step or component reported, or a failed call.
 *
 * @param origin     RESPONSE, STEP, SUB_STEP, COMPONENT or CALL
 * @param originName the step key, component name or API name the error belongs to
 * @param level      FATAL, ERROR, WARNING, CRITICAL when the provider says so
 * @param detailJson the full error object as the provider sent it, JSON text or null
 */
public record ErrorEvent(
        String origin,
        String originName,
        String code,
        String level,
        String message,
        String reason,
        String proposal,
        String detailJson) {
}
