package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * What the simulator answers before faults are applied.
 *
 * @param json    the body (always JSON for the providers' own answers)
 * @param outcome what {@link SimulatorStats} counts: "OK", "NOT_FOUND" or the error code served
 */
record SimAnswer(int status, Map<String, String> headers, JsonNode json, String outcome) {
    SimAnswer {
        headers = Map.copyOf(headers);
    }
}
