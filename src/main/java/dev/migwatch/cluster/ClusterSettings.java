package dev.migwatch.cluster;

import dev.migwatch.source.ConfigException;
import dev.migwatch.source.Durations;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * migwatch.cluster.*: whether several nodes share the sources, through which Camel cluster service, and this node's name.
 *
 * @param lockInterval  file: how often a node tries the lock of a source it does not lead (and the leader writes its heartbeat)
 * @param sessionTimeout zookeeper: the ZooKeeper session; kubernetes: the Lease duration (migwatch.cluster.session-timeout)
 * @param zookeeperPath  zookeeper: the znode under which the sources' elections live (migwatch.cluster.zookeeper.base-path):
 *                       two migwatch installations on one ensemble need two paths, or they elect each other's nodes
 */
public record ClusterSettings(Type type, String nodeId, String fileRoot, Duration lockInterval, String zookeeperNodes,
                              Duration sessionTimeout, String zookeeperPath) {
    public static final String KUBERNETES_SERVICE = "org.apache.camel.component.kubernetes.cluster.KubernetesClusterService";
    /** Camel's FileLockClusterService takes a lock over once the leader's heartbeat is this many lock intervals old. */
    static final int FILE_HEARTBEAT_MULTIPLIER = 5;
    /** Shorter sessions or leases are lost to a garbage-collection pause or a busy machine, and leadership flaps. */
    static final Duration MIN_SESSION = Duration.ofSeconds(1);
    private static final java.util.regex.Pattern ZNODE_PATH = java.util.regex.Pattern.compile("(/(?!\\.\\.?(/|$))[A-Za-z0-9._-]+)+");
    static final String DEFAULT_ZOOKEEPER_PATH = "/migwatch/cluster";

    public enum Type { NONE, FILE, ZOOKEEPER, KUBERNETES }

    public static ClusterSettings none() {
        return new ClusterSettings(Type.NONE, null, null, null, null, null, null);
    }

    public boolean enabled() {
        return type != Type.NONE;
    }

    /** The master: namespace of a source: the unit of leadership. */
    public static String namespace(String source) {
        return "migwatch-" + source;
    }

    /**
     * How long leadership can stay with a node that died before another takes over: the file lock's heartbeat timeout
     * (plus one interval for the next try), the ZooKeeper session, the Kubernetes lease.
     */
    public Duration takeoverBound() {
        return switch (type) {
            case NONE -> Duration.ZERO;
            case FILE -> lockInterval.multipliedBy(FILE_HEARTBEAT_MULTIPLIER + 1);
            case ZOOKEEPER, KUBERNETES -> sessionTimeout;
        };
    }

    /** Reads and checks the migwatch.cluster.* values (all problems at once). */
    public static ClusterSettings parse(Map<String, String> global, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String typeName = value(global, "migwatch.cluster.type", "none");
        Type type;
        try {
            type = Type.valueOf(typeName.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("migwatch.cluster.type '" + typeName + "' is not known: set it to none, file, zookeeper or kubernetes");
        }
        if (type == Type.NONE) {
            // a node id alone still names the node in the poll log
            String node = global.get("migwatch.cluster.node-id");
            return new ClusterSettings(Type.NONE, node == null || node.isBlank() ? null : node.trim(), null, null, null, null, null);
        }
        String nodeId = value(global, "migwatch.cluster.node-id", null);
        if (nodeId == null) {
            nodeId = hostname(env);
        }
        if (nodeId == null) {
            problems.add("migwatch.cluster.node-id is not set and this machine's host name is unknown: give each node a name, "
                    + "e.g. migwatch.cluster.node-id = {{env:HOSTNAME}}");
        } else if (nodeId.length() > 100) {
            problems.add("migwatch.cluster.node-id '" + nodeId + "' is longer than 100 characters");
        }
        Duration lockInterval = duration(global, "migwatch.cluster.file.lock-interval", Duration.ofSeconds(5), problems);
        Duration session = duration(global, "migwatch.cluster.session-timeout",
                type == Type.KUBERNETES ? Duration.ofSeconds(15) : Duration.ofSeconds(30), problems);
        String root = value(global, "migwatch.cluster.file.root", null);
        String zk = value(global, "migwatch.cluster.zookeeper.nodes", null);
        String zkPath = value(global, "migwatch.cluster.zookeeper.base-path", DEFAULT_ZOOKEEPER_PATH);
        if ((type == Type.ZOOKEEPER || type == Type.KUBERNETES) && session != null && session.compareTo(MIN_SESSION) < 0) {
            problems.add("migwatch.cluster.session-timeout = " + global.get("migwatch.cluster.session-timeout")
                    + " is too short: at least 1s (a shorter " + (type == Type.ZOOKEEPER ? "session" : "lease")
                    + " is lost to a pause of the JVM and leadership flaps)");
        }
        switch (type) {
            case FILE -> {
                if (root == null) {
                    problems.add("migwatch.cluster.file.root is missing: migwatch.cluster.type = file needs a directory every node "
                            + "shares (e.g. an NFS mount), such as migwatch.cluster.file.root = /shared/migwatch-cluster");
                } else if (Files.exists(Path.of(root)) && !Files.isDirectory(Path.of(root))) {
                    problems.add("migwatch.cluster.file.root = " + root + " is not a directory");
                }
                if (lockInterval != null && lockInterval.toMillis() < 100) {
                    problems.add("migwatch.cluster.file.lock-interval must be at least 100ms");
                }
            }
            case ZOOKEEPER -> {
                if (zk == null) {
                    problems.add("migwatch.cluster.zookeeper.nodes is missing: migwatch.cluster.type = zookeeper needs the "
                            + "ensemble, such as migwatch.cluster.zookeeper.nodes = zk1:2181,zk2:2181,zk3:2181");
                }
                // ZooKeeper refuses . and .. as names, and keeps /zookeeper for itself
                if (!ZNODE_PATH.matcher(zkPath).matches()) {
                    problems.add("migwatch.cluster.zookeeper.base-path = " + zkPath + " is not a znode path such as "
                            + DEFAULT_ZOOKEEPER_PATH + " (a / before each name, none at the end, no . or .. names)");
                } else if (zkPath.equals("/zookeeper") || zkPath.startsWith("/zookeeper/")) {
                    problems.add("migwatch.cluster.zookeeper.base-path = " + zkPath + " is under /zookeeper, which ZooKeeper "
                            + "keeps for itself: use a path of your own such as " + DEFAULT_ZOOKEEPER_PATH);
                }
            }
            case KUBERNETES -> {
                if (!onClasspath(KUBERNETES_SERVICE)) {
                    problems.add("migwatch.cluster.type = kubernetes needs camel-kubernetes, which this jar leaves out: "
                            + "build it with mvn -B -Pkubernetes package (see docs/kubernetes.yaml)");
                }
            }
            default -> throw new IllegalStateException(type.name());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ClusterSettings(type, nodeId, root, lockInterval, zk, session, zkPath);
    }

    private static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, ClusterSettings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static String hostname(Map<String, String> env) {
        String h = env.get("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String value(Map<String, String> global, String key, String dflt) {
        String v = global.get(key);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private static Duration duration(Map<String, String> global, String key, Duration dflt, List<String> problems) {
        String v = global.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        Duration d = Durations.parse(v);
        if (d == null) {
            problems.add(key + " '" + v + "' is not a duration: write it like 30s, 5m, 1h or 500ms");
        }
        return d;
    }
}
