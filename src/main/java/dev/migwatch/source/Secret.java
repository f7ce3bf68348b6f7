package dev.migwatch.source;

/**
 * A credential value that never shows itself: toString() masks it, so a secret that ends up in a log
 * line, an exception message or a JSON document reads "****". Only the signers call {@link #reveal()}.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null || value.isEmpty() ? null : new Secret(value);
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "****";
    }
}
