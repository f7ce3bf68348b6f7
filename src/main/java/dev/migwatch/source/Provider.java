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

    /**
     * The request budget of a source when migwatch.sources.<name>.max-requests-per-second is not set. DTS documents 20
     * calls a second per account and region for DescribeDtsJobs (40 for DescribeDtsJobDetail); OMS and UDTS publish no
     * figure. Half of DTS's documented limit leaves room for the console and other tools of the same account.
     */
    public double defaultMaxRequestsPerSecond() {
        return 10;
    }

    /** The task types the provider's list API knows, as discover.type takes them (upper case). */
    public java.util.Set<String> taskTypes() {
        return switch (this) {
            case OMS -> java.util.Set.of("MIGRATION", "SYNC");
            case DTS -> java.util.Set.of("MIGRATION", "SYNC", "SUBSCRIBE");
            case UDTS -> java.util.Set.of("FULL", "INCREMENTAL", "FULL+INCREMENTAL");
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
