package dev.migwatch.source;

import java.net.URI;
import java.util.Locale;

/** The migration services migwatch can watch, with their documented default endpoints. */
public enum Provider {
    OMS, DTS, UDTS;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The public endpoint for a region (PROVIDERS.md); null when the provider needs a region and none is given. */
    public URI defaultEndpoint(String region) {
        return switch (this) {
            case OMS -> region == null ? null : URI.create("https://oceanbasepro." + region + ".aliyuncs.com");
            case DTS -> region == null ? null : URI.create("https://dts." + region + ".aliyuncs.com");
            case UDTS -> URI.create("https://api.ucloud.cn");
        };
    }

    public static Provider parse(String text) {
        for (Provider p : values()) {
            if (p.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return p;
            }
        }
        return null;
    }
}
