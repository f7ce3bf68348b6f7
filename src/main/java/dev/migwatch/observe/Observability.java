package dev.migwatch.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Hands migwatch's metrics and health checks to Camel, which serves them at /observe/metrics and /observe/health. */
public final class Observability {
    /** The name under which camel-micrometer-prometheus looks for (or binds) its registry. */
    static final String METER_REGISTRY = "metricsRegistry";
    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

    private Observability() {
    }

    /**
     * Adds the collector to the Prometheus registry that camel-micrometer-prometheus scrapes. Either side may come
     * first: the registry is looked up by the name Camel uses, and bound under it when Camel has not made one yet.
     */
    public static void serveMetrics(CamelContext context, MigwatchMetrics metrics) {
        MeterRegistry found = context.getRegistry().lookupByNameAndType(METER_REGISTRY, MeterRegistry.class);
        if (found == null) {
            found = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            context.getRegistry().bind(METER_REGISTRY, found);
        }
        if (found instanceof PrometheusMeterRegistry prometheus) {
            prometheus.getPrometheusRegistry().register(metrics);
        } else {
            // an embedding application with a registry of its own kind: Camel then serves no Prometheus text either
            LOG.info("migwatch's metrics are served only with a Prometheus registry; '{}' is a {}", METER_REGISTRY,
                    found.getClass().getName());
        }
    }

    /** Camel's health check registry takes every HealthCheck bean of the Camel registry. */
    public static void bindHealthChecks(CamelContext context, List<HealthCheck> checks, List<? extends HealthCheck> more) {
        List<HealthCheck> all = new ArrayList<>(checks);
        all.addAll(more);
        for (HealthCheck check : all) {
            context.getRegistry().bind("migwatchHealth-" + check.getId(), check);
        }
    }
}
