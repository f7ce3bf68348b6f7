package dev.migwatch.alert;

import org.apache.camel.builder.RouteBuilder;

/**
 * The alert routes from the templates of routes/migwatch-alerts.camel.yaml: the evaluation (when any rule is configured;
 * with several nodes behind a master: endpoint, so that one node evaluates and nobody is notified twice), and per
 * channel its queue with retries and its send.
 */
public final class AlertRoutes extends RouteBuilder {
    /** The master: namespace of the evaluation: a dot, which a source's name cannot hold, keeps it apart from theirs. */
    public static final String NAMESPACE = "migwatch.alerts";
    private final AlertsConfig config;
    private final boolean clustered;

    public AlertRoutes(AlertsConfig config, boolean clustered) {
        this.config = config;
        this.clustered = clustered;
    }

    @Override
    public void configure() {
        if (!config.rules().isEmpty()) {
            templatedRoute("migwatch-alerts-evaluate")
                    .routeId("migwatch-alerts-evaluate")
                    .parameter("interval", String.valueOf(config.interval().toMillis()))
                    .parameter("leadership", clustered ? "master:" + NAMESPACE + ":" : "");
        }
        for (AlertChannel c : config.channels().values()) {
            templatedRoute("migwatch-alert-channel")
                    .routeId("alert-channel-" + c.name())
                    .parameter("channel", c.name())
                    .parameter("retries", String.valueOf(config.retries()))
                    .parameter("backoff", String.valueOf(config.backoff().toMillis()));
            templatedRoute("migwatch-alert-send")
                    .routeId("alert-send-" + c.name())
                    .parameter("channel", c.name())
                    .parameter("uri", c.endpointUri());
        }
    }
}
