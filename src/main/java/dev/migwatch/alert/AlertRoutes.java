package dev.migwatch.alert;

import dev.migwatch.source.ConfigException;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;

import java.util.List;
import java.util.stream.Stream;

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

    /**
     * camel-main adds the templated routes once every routes file is loaded: a missing template here means the file is
     * not among them (a routes/ folder from before the alerts, an embedding application's include pattern), which is
     * said as a configuration problem rather than Camel's "Cannot find RouteTemplate" stack trace.
     */
    @Override
    public void addTemplatedRoutesToCamelContext(CamelContext context) throws Exception {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        boolean needed = !config.rules().isEmpty() || !config.channels().isEmpty();
        if (needed && Stream.of("migwatch-alerts-evaluate", "migwatch-alert-channel", "migwatch-alert-send")
                .anyMatch(id -> model.getRouteTemplateDefinition(id) == null)) {
            throw new ConfigException(List.of("migwatch.alerts.* needs the routes of migwatch-alerts.camel.yaml, which are not "
                    + "loaded: copy it into the routes/ folder beside application.properties, or add "
                    + "classpath:migwatch/routes/migwatch-alerts.camel.yaml to camel.main.routes-include-pattern"));
        }
        super.addTemplatedRoutesToCamelContext(context);
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
