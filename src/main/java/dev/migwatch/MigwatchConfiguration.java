package dev.migwatch;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.alert.AlertChannel;
import dev.migwatch.alert.AlertDelivery;
import dev.migwatch.alert.AlertEvaluator;
import dev.migwatch.alert.AlertRetention;
import dev.migwatch.alert.AlertRoutes;
import dev.migwatch.alert.AlertStore;
import dev.migwatch.alert.AlertsApi;
import dev.migwatch.alert.AlertsConfig;
import dev.migwatch.alert.AlertsConfigParser;
import dev.migwatch.cluster.ClusterNodes;
import dev.migwatch.cluster.ClusterServices;
import dev.migwatch.cluster.ClusterSettings;
import dev.migwatch.cluster.PollClaims;
import dev.migwatch.dts.DtsAdapter;
import dev.migwatch.observe.DatabaseHealthCheck;
import dev.migwatch.observe.JournalHealthCheck;
import dev.migwatch.observe.MigwatchMetrics;
import dev.migwatch.observe.Observability;
import dev.migwatch.observe.SourceHealthCheck;
import dev.migwatch.http.HttpAccess;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.poll.PollCycles;
import dev.migwatch.poll.ProviderCalls;
import dev.migwatch.http.NoHttpRetry;
import dev.migwatch.poll.RateLimits;
import dev.migwatch.poll.RetryPolicy;
import dev.migwatch.poll.SourceGuard;
import dev.migwatch.poll.TaskDiscovery;
import dev.migwatch.source.ConfigException;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.source.SourcesConfigParser;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryMaintenance;
import dev.migwatch.storage.DelayWindowFigures;
import dev.migwatch.storage.HistoryStore;
import dev.migwatch.storage.Retention;
import dev.migwatch.storage.SnapshotJournal;
import dev.migwatch.storage.SnapshotSpool;
import dev.migwatch.storage.TaskLedger;
import dev.migwatch.trends.TrendQueries;
import dev.migwatch.trends.TrendsApi;
import dev.migwatch.trends.TrendsService;
import dev.migwatch.trends.TrendsSettings;
import dev.migwatch.udts.UdtsAdapter;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.function.BooleanSupplier;

/**
 * The beans of migwatch: the history database, the polling beans, and one polling route per
 * configured source (from the {@code migwatch-poll-source} template in routes/).
 * Standalone it is used by {@link MigwatchApplication}; an existing camel-main deployment adds it with
 * {@code camel.main.configuration-classes = dev.migwatch.MigwatchConfiguration}.
 */
public class MigwatchConfiguration implements CamelConfiguration {
    public static final String DEFAULT_DB_URL = "jdbc:h2:file:./data/migwatch";
    static final String HOW_TO_CONFIGURE = """
            No source is configured, so there is nothing to watch. Add one to application.properties, e.g.
              migwatch.sources.prod-oms.provider = oms
              migwatch.sources.prod-oms.region = cn-hangzhou
              migwatch.sources.prod-oms.access-key-id = {{env:ALIBABA_CLOUD_ACCESS_KEY_ID}}
              migwatch.sources.prod-oms.access-key-secret = {{env:ALIBABA_CLOUD_ACCESS_KEY_SECRET}}
              migwatch.sources.prod-oms.tasks = np_4w3a1,np_fe22
            (see README.md, "Configuration"), or run `java -jar target/migwatch.jar --demo` to watch the built-in simulator.""";
    private static final Logger LOG = LoggerFactory.getLogger(MigwatchConfiguration.class);

    @Override
    public void configure(CamelContext context) {
        MigwatchSettings settings = MigwatchSettings.read(context);
        List<String> problems = new ArrayList<>(settings.problems());
        List<SourceConfig> sources = collect(problems, List.of(), () -> SourcesConfigParser.parse(settings.sourceProperties()));
        RetryPolicy retryPolicy = collect(problems, null, settings::retryPolicy);
        SourceGuard.Settings guardSettings = collect(problems, null, settings::guardSettings);
        TrendsSettings trendsSettings = collect(problems, null, settings::trendsSettings);
        collect(problems, null, settings::journalReplayInterval);
        Retention retention = collect(problems, null, settings::retention);
        ClusterSettings cluster = collect(problems, ClusterSettings.none(), settings::clusterSettings);
        HttpAccess httpAccess = collect(problems, null, () -> HttpAccess.parse(settings.global(), serverHost(context)));
        collect(problems, null, settings::retentionInterval);
        Integer journalBacklogMax = collect(problems, 0, settings::healthJournalBacklog);
        Duration databaseTimeout = collect(problems, null, settings::healthDatabaseTimeout);
        collect(problems, null, settings::metricsEtaInterval);
        // bound before the channels' endpoints are made below
        NoHttpRetry.bind(context.getRegistry());
        AlertsConfig alerts = collect(problems, AlertsConfig.none(), () -> AlertsConfigParser.parse(settings.alertProperties(),
                scheme -> hasComponent(context, scheme), c -> endpointProblem(context, c), dashboardUrl(context)));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        if (sources.isEmpty()) {
            throw new ConfigException(HOW_TO_CONFIGURE);
        }
        // before the embedded HTTP server answers anything
        context.addLifecycleStrategy(httpAccess.installer());
        HikariDataSource dataSource = openDatabase(settings, context);
        context.getRegistry().bind("migwatchDataSource", dataSource);
        Clock clock = Clock.systemUTC();
        // the writer keeps the task list's delay window and ETA figures for the settings the list reads with
        HistoryStore historyStore = new HistoryStore(dataSource, clock, cluster.nodeId(),
                DelayWindowFigures.Settings.of(trendsSettings.delayWindow(), trendsSettings.delayThresholdSeconds()),
                trendsSettings.fullStepEta());
        // while the database is unavailable, snapshots wait in a local journal (routes/migwatch-journal.camel.yaml)
        SnapshotSpool spool = SnapshotSpool.open(settings.get("migwatch.journal.dir", SnapshotJournal.DEFAULT_DIR), historyStore);
        context.getRegistry().bind("snapshotSpool", spool);
        SourceGuard guard = new SourceGuard(guardSettings, clock);
        PollCycles pollCycles = new PollCycles(sources, List.of(new OmsAdapter(), new DtsAdapter(), new UdtsAdapter()), guard, clock);
        java.util.function.Supplier<List<Map<String, Object>>> sourceLoads = pollCycles::sourceLoads;
        BooleanSupplier leadsAlerts = () -> true;
        if (cluster.enabled()) {
            // only the leader of a source's namespace runs its timer (the master: endpoints of SourceRoutes)
            try {
                CamelClusterService clusterService = ClusterServices.create(cluster, context);
                context.addService(clusterService);
                leadsAlerts = () -> clusterService.isLeader(AlertRoutes.NAMESPACE);
            } catch (Exception e) {
                throw new IllegalStateException("cannot add the " + cluster.type() + " cluster service", e);
            }
            ClusterNodes nodes = new ClusterNodes(context, dataSource, cluster, sources.stream().map(SourceConfig::name).toList(), clock);
            context.getRegistry().bind("clusterNodes", nodes);
            context.addLifecycleStrategy(nodes.drainOnShutdown());
            context.getRegistry().bind("pollClaims", PollClaims.shared(dataSource, cluster.nodeId(), sources, retryPolicy, clock));
            sourceLoads = () -> nodes.annotate(pollCycles.sourceLoads());
            LOG.info("Node {} of a {} cluster: polls the sources it leads; another node takes over a source within its interval + {} s",
                    cluster.nodeId(), cluster.type().name().toLowerCase(java.util.Locale.ROOT), cluster.takeoverBound().toSeconds());
        } else {
            context.getRegistry().bind("pollClaims", PollClaims.single());
        }
        // two threads: a list's steps read beside its tasks read (TrendsService.tasks), for two lists at a time, on the two
        // connections the history's pool keeps for them (HistoryDatabase.sideReads: not for an embedded H2, which reads
        // one statement after the other). A third list's steps read waits for a thread, and its list reads them itself
        // once it needs them (SideRead): it never waits for a read nobody makes, refused, queued or dropped when Camel
        // shuts the pool down
        Executor trendReads = !HistoryDatabase.sideReads(dataSource.getJdbcUrl()) ? Runnable::run
                : context.getExecutorServiceManager().newThreadPool(TrendsService.class, "TrendReads",
                new ThreadPoolProfileBuilder("TrendReads").poolSize(2).maxPoolSize(2).maxQueueSize(10)
                        .rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
        TrendsService trends = new TrendsService(new TrendQueries(dataSource), trendsSettings, trendReads);
        // the REST API and dashboard (routes/migwatch-rest.camel.yaml)
        context.getRegistry().bind("trendsApi", new TrendsApi(trends, sourceLoads));
        // /observe/metrics and /observe/health (routes/migwatch-polling.camel.yaml feeds the metrics, migwatch-observe the ETAs)
        MigwatchMetrics metrics = new MigwatchMetrics(sources, pollCycles::watches, guard, spool.journal()::pending, trends::etas, clock)
                .withSourceLoads(pollCycles::sourceLoads);
        // alert rules against the history, notifications to any Camel endpoint (routes/migwatch-alerts.camel.yaml)
        AlertStore alertStore = new AlertStore(dataSource);
        // which tasks the rules look at comes from the configuration and the task table, not from pollCycles::watches: the
        // evaluating node's memory holds no listing of a source another node leads, nor any before its first listing
        Map<String, SourceConfig> sourceByName = sources.stream().collect(java.util.stream.Collectors.toMap(SourceConfig::name, s -> s));
        AlertEvaluator alertEvaluator = new AlertEvaluator(alerts, alertStore, trends::tasks,
                (source, task) -> sourceByName.containsKey(source) && sourceByName.get(source).covers(task), trendsSettings.stallAfter(), clock);
        context.getRegistry().bind("alertEvaluator", alertEvaluator);
        // with several nodes, only the one that leads the alerts delivers: a retry the node before it left is sent once
        context.getRegistry().bind("alertDelivery", new AlertDelivery(alerts.channels(), alertStore, clock, leadsAlerts,
                alertEvaluator::resendQueued));
        context.getRegistry().bind("alertsApi", new AlertsApi(alertStore, alerts));
        // after the history's retention (routes/migwatch-maintenance.camel.yaml)
        context.getRegistry().bind("alertRetention", new AlertRetention(alertStore, retention.alerts(), clock, leadsAlerts));
        context.getRegistry().bind("migwatchAlertRoutes", new AlertRoutes(alerts, cluster.enabled()));
        metrics.withAlerts(alertEvaluator::firingByRule);
        // rollups and retention in the background (routes/migwatch-maintenance.camel.yaml); it measures the database's size too
        HistoryMaintenance maintenance = new HistoryMaintenance(dataSource, retention, clock, Duration.ofSeconds(20));
        metrics.withDatabaseSize(maintenance::databaseBytes);
        context.getRegistry().bind("migwatchMetrics", metrics);
        Observability.serveMetrics(context, metrics);
        Observability.bindHealthChecks(context, List.of(
                new DatabaseHealthCheck(dataSource, databaseTimeout, Secret.of(settings.get("migwatch.db.password", null))),
                new JournalHealthCheck(spool, journalBacklogMax)),
                sources.stream().map(s -> new SourceHealthCheck(s.name(), guard)).toList());
        context.getRegistry().bind("historyStore", historyStore);
        context.getRegistry().bind("historyMaintenance", maintenance);
        context.getRegistry().bind("pollCycles", pollCycles);
        context.getRegistry().bind("providerCalls", new ProviderCalls(pollCycles, retryPolicy, clock));
        // each source's request budget, shared by all its calls (routes/migwatch-polling.camel.yaml, migwatch-call-provider)
        context.getRegistry().bind("rateLimits", new RateLimits(sources));
        // tasks = *: the account's list, every discovery-interval (migwatch-discover-source)
        context.getRegistry().bind("taskDiscovery", new TaskDiscovery(pollCycles));
        context.getRegistry().bind("taskLedger", new TaskLedger(dataSource));
        context.getRegistry().bind("migwatchSourceRoutes", new SourceRoutes(sources, cluster));
        // the database is closed last: after Camel's graceful shutdown let the cycles under way finish and be written
        context.addLifecycleStrategy(new CloseDatabaseLast(dataSource, pollCycles));
        sources.forEach(s -> LOG.info("Watching source {}: {} at {}, tasks {}{}, every {} s (idle tasks every {} s), at most {} requests a second",
                s.name(), s.provider().id(), s.endpoint(), s.tasks(),
                s.discovers() ? " and the account's tasks listed every " + s.discovery().interval().toMillis() / 1000.0 + " s" : "",
                s.interval().toMillis() / 1000.0, s.idleInterval().toMillis() / 1000.0, s.maxRequestsPerSecond()));
        alerts.channels().values().forEach(c -> LOG.info("Alert channel {}: {} to {}", c.name(), c.format().id(), c.shownUri()));
        alerts.rules().forEach(r -> LOG.info("Alert rule {}: {}{}{} on {}, to {}{}", r.name(), r.condition().id(),
                r.threshold().duration() != null ? " " + r.threshold().duration().toSeconds() + " s"
                        : r.threshold().at() != null ? " " + r.threshold().at() : "",
                r.pendingFor().isZero() ? "" : " for " + r.pendingFor().toSeconds() + " s", r.tasks(),
                r.channels().isEmpty() ? "no channel (recorded only)" : r.channels(),
                r.repeat() == null ? "" : ", again every " + r.repeat().toSeconds() + " s while firing"));
    }

    /** Whether Camel has a component for a URI scheme: shipped in the jar (its service file), or bound by an embedding application. */
    private static boolean hasComponent(CamelContext context, String scheme) {
        return context.hasComponent(scheme) != null
                || context.getRegistry().lookupByNameAndType(scheme, org.apache.camel.Component.class) != null
                || MigwatchConfiguration.class.getClassLoader().getResource("META-INF/services/org/apache/camel/component/" + scheme) != null;
    }

    /**
     * Why Camel cannot make a channel's endpoint (an option its component does not have, a malformed address), or null:
     * a configuration problem like the others, named at start, not a stack trace when its route starts.
     */
    private static String endpointProblem(CamelContext context, AlertChannel c) {
        try {
            context.getEndpoint(c.endpointUri());
            return null;
        } catch (RuntimeException e) {
            return MigwatchSettings.rootMessage(e);
        }
    }

    /** The dashboard's address for the url of a notification, unless migwatch.alerts.dashboard-url says otherwise. */
    private static String dashboardUrl(CamelContext context) {
        String host = serverHost(context);
        if (host == null) {
            return null;
        }
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":"
                + context.getPropertiesComponent().resolveProperty("camel.server.port").orElse("8080") + "/";
    }

    /** camel.server.host when the embedded HTTP server is on (Camel's default host is every interface), else null. */
    private static String serverHost(CamelContext context) {
        var pc = context.getPropertiesComponent();
        if (!"true".equalsIgnoreCase(pc.resolveProperty("camel.server.enabled").orElse("false"))) {
            return null;
        }
        return pc.resolveProperty("camel.server.host").orElse("0.0.0.0");
    }

    /** Runs one part of the validation, adding its problems to the others' so that all are reported at once. */
    private static <T> T collect(List<String> problems, T fallback, java.util.function.Supplier<T> part) {
        try {
            return part.get();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return fallback;
        }
    }

    /**
     * Opens the pool at once (an unreachable database stops the start here), and brings the schema up to date in the
     * background while Camel loads the routes, which takes about as long: the start waits for it before any route
     * starts (see {@link SchemaReady}).
     */
    private static HikariDataSource openDatabase(MigwatchSettings settings, CamelContext context) {
        String url = settings.get("migwatch.db.url", DEFAULT_DB_URL);
        HikariDataSource ds;
        try {
            ds = HistoryDatabase.open(url, settings.get("migwatch.db.user", null), settings.get("migwatch.db.password", null));
        } catch (RuntimeException e) {
            throw new ConfigException("Cannot open the history database migwatch.db.url = " + url + ": " + MigwatchSettings.rootMessage(e)
                    + "\n  Check that the database is running and reachable, and migwatch.db.user / migwatch.db.password.");
        }
        FutureTask<Integer> migration = new FutureTask<>(() -> HistoryDatabase.migrate(ds));
        Thread migrating = new Thread(migration, "migwatch-schema");
        migrating.setDaemon(true);
        migrating.start();
        context.addLifecycleStrategy(new SchemaReady(url, ds, migration));
        return ds;
    }

    /** Holds the start of the routes until the schema migration has finished; a failed one stops the start. */
    static final class SchemaReady extends LifecycleStrategySupport {
        private final String url;
        private final HikariDataSource dataSource;
        private final FutureTask<Integer> migration;

        SchemaReady(String url, HikariDataSource dataSource, FutureTask<Integer> migration) {
            this.url = url;
            this.dataSource = dataSource;
            this.migration = migration;
        }

        private static boolean lockNotAvailable(Throwable t) {
            for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof java.sql.SQLException sql && HistoryDatabase.LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void onContextStarting(CamelContext context) {
            int applied;
            try {
                applied = migration.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                dataSource.close();
                throw new IllegalStateException("interrupted while the history database's schema was being brought up to date", e);
            } catch (ExecutionException e) {
                dataSource.close();
                // a table another transaction holds (V13's lock timeout) is not a matter of rights: the message says what to do
                throw new ConfigException("Cannot create or update migwatch's tables in migwatch.db.url = " + url + ": "
                        + MigwatchSettings.rootMessage(e.getCause()) + (lockNotAvailable(e) ? ""
                        : "\n  The user needs the right to create tables; a schema changed by hand must be restored."));
            }
            // the URL as opened: with what migwatch added to an H2 URL that did not say otherwise (HistoryDatabase.open)
            LOG.info("History database {} ({} schema migrations applied now)", dataSource.getJdbcUrl(), applied);
        }
    }

    /**
     * Closes the history database once the CamelContext has stopped, i.e. after the graceful shutdown strategy
     * (camel.main.shutdownTimeout) let the cycles under way finish and be stored. H2 is opened with
     * DB_CLOSE_ON_EXIT=FALSE (HistoryDatabase), so its own JVM shutdown hook no longer closes it under them.
     */
    static final class CloseDatabaseLast extends LifecycleStrategySupport {
        private final HikariDataSource dataSource;
        private final PollCycles pollCycles;

        CloseDatabaseLast(HikariDataSource dataSource, PollCycles pollCycles) {
            this.dataSource = dataSource;
            this.pollCycles = pollCycles;
        }

        @Override
        public void onContextStopped(CamelContext context) {
            long started = pollCycles.cyclesStarted();
            long ended = pollCycles.cyclesEnded();
            // a cycle whose poll slot another node (or this node's previous cycle, moments before) had claimed ends
            // at once without a poll: counted, so that started = stored + left to a claim
            PollClaims claims = context.getRegistry().lookupByNameAndType("pollClaims", PollClaims.class);
            long leftToClaims = claims == null ? 0 : claims.refused();
            if (started == ended) {
                LOG.info("Polling stopped: {} poll cycles started, {} ended, {} of them left to an earlier claim of their poll slot; "
                        + "closing the history database", started, ended, leftToClaims);
            } else {
                LOG.warn("Polling stopped: {} poll cycles started, {} ended; {} did not finish within the shutdown timeout "
                        + "(camel.main.shutdownTimeout) and are not recorded", started, ended, started - ended);
            }
            dataSource.close();
        }
    }

    /** Creates the per-source polling routes once the YAML templates are loaded. */
    static final class SourceRoutes extends RouteBuilder {
        private final List<SourceConfig> sources;
        private final ClusterSettings cluster;

        SourceRoutes(List<SourceConfig> sources, ClusterSettings cluster) {
            this.sources = sources;
            this.cluster = cluster;
        }

        /** The prefix of a source's timers: with several nodes they run only on the leader of the source's namespace. */
        private String leadership(SourceConfig s) {
            return cluster.enabled() ? "master:" + ClusterSettings.namespace(s.name()) + ":" : "";
        }

        @Override
        public void configure() {
            for (SourceConfig s : sources) {
                templatedRoute("migwatch-poll-source")
                        .routeId("poll-" + s.name())
                        .parameter("source", s.name())
                        .parameter("interval", String.valueOf(s.interval().toMillis()))
                        .parameter("leadership", leadership(s));
                if (s.discovers()) {
                    templatedRoute("migwatch-discover-source")
                            .routeId("discover-" + s.name())
                            .parameter("source", s.name())
                            .parameter("interval", String.valueOf(s.discovery().interval().toMillis()))
                            .parameter("leadership", leadership(s));
                }
            }
            if (cluster.enabled()) {
                templatedRoute("migwatch-cluster-node")
                        .routeId("migwatch-cluster-node")
                        .parameter("period", String.valueOf(ClusterNodes.heartbeatPeriod(cluster).toMillis()));
            }
        }
    }
}
