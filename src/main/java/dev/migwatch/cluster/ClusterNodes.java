package dev.migwatch.cluster;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.component.master.MasterConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node among the others: which sources it leads (asked of each polling route's master: consumer), its heartbeat in
 * cluster_node, and keeping its share. Camel's cluster services give a namespace to whichever node asks first, so the
 * first node up would lead every source; a node that leads more sources than its share while another live node leads
 * fewer stops one source's routes for a few heartbeats, which releases its leadership to the nodes still standing,
 * then starts it again as a candidate.
 */
public class ClusterNodes {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNodes.class);
    /** Longest wait for a round under way before a node hands its source over (cycles are bounded by their timeouts). */
    private static final Duration ROUND_DRAIN = Duration.ofMinutes(2);

    private final CamelContext context;
    private final DataSource dataSource;
    private final ClusterSettings settings;
    private final List<String> sources;
    private final Clock clock;
    private final Duration heartbeat;
    private final Set<String> steppedBack = ConcurrentHashMap.newKeySet();
    private volatile int liveNodes = 1;

    public ClusterNodes(CamelContext context, DataSource dataSource, ClusterSettings settings, List<String> sources, Clock clock) {
        this.context = context;
        this.dataSource = dataSource;
        this.settings = settings;
        this.sources = List.copyOf(sources);
        this.clock = clock;
        this.heartbeat = heartbeatPeriod(settings);
    }

    /** How often a node says it is alive: often enough that a dead one is noticed within the takeover bound. */
    public static Duration heartbeatPeriod(ClusterSettings s) {
        Duration d = s.type() == ClusterSettings.Type.FILE ? s.lockInterval() : s.sessionTimeout().dividedBy(3);
        return d.compareTo(Duration.ofMillis(500)) < 0 ? Duration.ofMillis(500) : d;
    }

    public String node() {
        return settings.nodeId();
    }

    /** The polling route of a source (MigwatchConfiguration.SourceRoutes names it). */
    static String routeId(String source) {
        return "poll-" + source;
    }

    /** The listing route of a source with tasks = * (MigwatchConfiguration.SourceRoutes names it). */
    static String discoveryRouteId(String source) {
        return "discover-" + source;
    }

    /**
     * The routes whose master: consumers hold the source's namespace: its polling timer and, with tasks = *, its listing
     * timer. Camel's cluster service counts the consumers of a namespace and gives the leadership up only when none is
     * left, so stepping back stops them all.
     */
    private List<String> routesOf(String source) {
        return java.util.stream.Stream.of(routeId(source), discoveryRouteId(source)).filter(id -> context.getRoute(id) != null).toList();
    }

    /** Whether this node leads the source now. */
    public boolean leads(String source) {
        Route route = context.getRoute(routeId(source));
        return route != null && route.getConsumer() instanceof MasterConsumer m && m.isMaster();
    }

    public List<String> leading() {
        return sources.stream().filter(this::leads).toList();
    }

    /** Adds node and leader to GET /api/sources' rows. */
    public List<Map<String, Object>> annotate(List<Map<String, Object>> loads) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> load : loads) {
            Map<String, Object> m = new LinkedHashMap<>(load);
            m.put("node", settings.nodeId());
            m.put("leader", leads(String.valueOf(load.get("source"))));
            out.add(m);
        }
        return out;
    }

    /** Records that this node is alive and how many sources it leads; reads how many nodes are. */
    public void heartbeat() {
        Instant now = clock.instant();
        int leading = leading().size();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_node SET seen_at = ?, leads = ? WHERE node = ?")) {
                ps.setObject(1, utc(now));
                ps.setInt(2, leading);
                ps.setString(3, settings.nodeId());
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO cluster_node (node, seen_at, leads) VALUES (?, ?, ?)")) {
                        ins.setString(1, settings.nodeId());
                        ins.setObject(2, utc(now));
                        ins.setInt(3, leading);
                        ins.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM cluster_node WHERE seen_at >= ?")) {
                ps.setObject(1, utc(now.minus(heartbeat.multipliedBy(3))));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    liveNodes = Math.max(1, rs.getInt(1));
                }
            }
        } catch (SQLException e) {
            // without the database nobody's share is known: leadership stays as it is
            LOG.debug("cluster heartbeat of {} not recorded: {}", settings.nodeId(), e.getMessage());
        }
    }

    /**
     * When this node leads more than its share of the sources (rounded up) and another live node leads fewer, it steps back
     * from one source: its route stops (the master: consumer releases the namespace) and starts again a few
     * heartbeats later, by when a node standing for it has taken it. One source per heartbeat, so shares settle
     * without every node stepping back at once.
     */
    public void keepShare() {
        List<String> leading = leading();
        int share = (sources.size() + liveNodes - 1) / liveNodes;
        if (leading.size() <= share || !steppedBack.isEmpty() || !someoneLeadsFewer(share)) {
            return;
        }
        String source = leading.get(leading.size() - 1);
        steppedBack.add(source);
        LOG.info("Node {} leads {} of {} sources with {} nodes up: handing source {} over", settings.nodeId(), leading.size(),
                sources.size(), liveNodes, source);
        ScheduledExecutorService executor = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this,
                "migwatch-cluster-share");
        List<String> routes = routesOf(source);
        executor.execute(() -> {
            try {
                stepBack(source, routes);
            } catch (Exception e) {
                LOG.warn("Could not step back from source {}: {}", source, e.getMessage());
            }
            // counted from the release: by then a node standing for the source has taken it
            executor.schedule(() -> {
                try {
                    for (String route : routes) {
                        context.getRouteController().startRoute(route);
                    }
                } catch (Exception e) {
                    LOG.warn("Could not stand for source {} again: {}", source, e.getMessage());
                } finally {
                    steppedBack.remove(source);
                    context.getExecutorServiceManager().shutdown(executor);
                }
            }, heartbeat.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** Releases the source's namespace without cutting a round short (see {@link #drain}), then stops its routes. */
    private void stepBack(String source, List<String> routes) throws Exception {
        if (!drain(routes, ROUND_DRAIN)) {
            LOG.warn("Source {}: its round still runs after {} s; handing it over anyway", source, ROUND_DRAIN.toSeconds());
        }
        for (String id : routes) {
            context.getRouteController().stopRoute(id);
        }
    }

    /**
     * Suspends the routes' timers and waits, at most {@code max}, until no round or listing of theirs is under way; false
     * if one still is. Stopping a master: route stops its processors at once (Camel's MasterConsumer is not Suspendable,
     * so a route stop or a shutdown does not wait for it to drain): the rest of a round under way would be refused and its
     * tasks left marked busy.
     */
    boolean drain(List<String> routes, Duration max) throws InterruptedException {
        for (String id : routes) {
            Route route = context.getRoute(id);
            if (route != null && route.getConsumer() instanceof ServiceSupport consumer && consumer.isStarted()) {
                consumer.suspend();
            }
        }
        long until = System.nanoTime() + max.toNanos();
        while (routes.stream().anyMatch(id -> context.getInflightRepository().size(id) > 0)) {
            if (System.nanoTime() > until) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** At shutdown: every source's rounds under way finish (within the shutdown timeout) before Camel stops the routes. */
    public org.apache.camel.spi.LifecycleStrategy drainOnShutdown() {
        return new org.apache.camel.support.LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                List<String> routes = sources.stream().flatMap(s -> routesOf(s).stream()).toList();
                try {
                    drain(routes, Duration.ofMillis(stopping.getShutdownStrategy().getTimeUnit().toMillis(
                            stopping.getShutdownStrategy().getTimeout())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private boolean someoneLeadsFewer(int share) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM cluster_node WHERE seen_at >= ? AND node <> ? AND leads < ?")) {
            ps.setObject(1, utc(clock.instant().minus(heartbeat.multipliedBy(3))));
            ps.setString(2, settings.nodeId());
            ps.setInt(3, share);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private static LocalDateTime utc(Instant at) {
        return LocalDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
