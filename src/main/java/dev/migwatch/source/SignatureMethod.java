package dev.migwatch.source;

/** How Alibaba Cloud requests are signed; ACS3 is the recommended default. UCloud has one method only. */
public enum SignatureMethod {
    ACS3_HMAC_SHA256("ACS3-HMAC-SHA256"), HMAC_SHA1("HMAC-SHA1");

    private final String label;

    SignatureMethod(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static SignatureMethod parse(String text) {
        for (SignatureMethod m : values()) {
            if (m.label.equalsIgnoreCase(text.trim()) || m.name().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        return null;
    }
}
