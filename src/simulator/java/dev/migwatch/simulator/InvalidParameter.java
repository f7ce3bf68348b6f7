package dev.migwatch.simulator;

/**
 * A request parameter the simulated API refuses (a page size above the documented maximum, say). The gateway turns
 * it into the provider's error answer: Alibaba HTTP 400 with the code, UCloud HTTP 200 with a RetCode.
 */
final class InvalidParameter extends RuntimeException {
    private final String code;
    private final String param;

    InvalidParameter(String code, String param, String message) {
        super(message);
        this.code = code;
        this.param = param;
    }

    String code() {
        return code;
    }

    String param() {
        return param;
    }

    /** Reads an optional whole-number parameter within [min, max]; a value outside is refused as the provider does. */
    static int intParam(java.util.Map<String, ?> params, String name, int dflt, int min, int max, String code) {
        Object v = params.get(name);
        if (v == null || v.toString().isBlank()) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new InvalidParameter(code, name, "The specified parameter " + name + " is not valid.");
        }
        if (n < min || n > max) {
            throw new InvalidParameter(code, name, "The specified parameter " + name + " is not valid: " + n + " (" + min + " to " + max + ").");
        }
        return n;
    }
}
