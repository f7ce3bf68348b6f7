package dev.migwatch.cluster;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.apache.camel.support.PropertyBindingSupport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The Camel cluster service that migwatch.cluster.type names; the master: endpoints find it in the context. */
public final class ClusterServices {
    private ClusterServices() {
    }

    public static CamelClusterService create(ClusterSettings s, CamelContext context) {
        return switch (s.type()) {
            case FILE -> {
                FileLockClusterService file = new FileLockClusterService();
                file.setId(s.nodeId());
                file.setRoot(s.fileRoot());
                file.setAcquireLockInterval(s.lockInterval().toMillis(), TimeUnit.MILLISECONDS);
                file.setAcquireLockDelay(Math.min(1000, s.lockInterval().toMillis()), TimeUnit.MILLISECONDS);
                file.setHeartbeatTimeoutMultiplier(ClusterSettings.FILE_HEARTBEAT_MULTIPLIER);
                yield file;
            }
            case ZOOKEEPER -> {
                ZooKeeperClusterService zk = new ZooKeeperClusterService();
                zk.setId(s.nodeId());
                zk.setNodes(s.zookeeperNodes());
                zk.setBasePath(s.zookeeperPath());
                zk.setSessionTimeout(s.sessionTimeout().toMillis());
                zk.setConnectTimeout(Math.min(15_000, s.sessionTimeout().toMillis()));
                yield zk;
            }
            case KUBERNETES -> kubernetes(s, context);
            case NONE -> throw new IllegalArgumentException("no cluster service for migwatch.cluster.type = none");
        };
    }

    /** camel-kubernetes is only in the -Pkubernetes build, hence bound by name; one Lease per source (ClusterSettings.namespace). */
    private static CamelClusterService kubernetes(ClusterSettings s, CamelContext context) {
        CamelClusterService service;
        try {
            service = (CamelClusterService) Class.forName(ClusterSettings.KUBERNETES_SERVICE).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + ClusterSettings.KUBERNETES_SERVICE, e);
        }
        long lease = s.sessionTimeout().toMillis();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("id", s.nodeId());
        properties.put("podName", s.nodeId());
        properties.put("leaseResourceType", "Lease");
        properties.put("kubernetesResourceName", "migwatch");
        // client-go's proportions (15 s lease, 10 s renew deadline, 2 s retry) scaled to the lease
        properties.put("leaseDurationMillis", lease);
        properties.put("renewDeadlineMillis", lease * 2 / 3);
        properties.put("retryPeriodMillis", Math.max(200, lease / 7));
        PropertyBindingSupport.build().withCamelContext(context).withTarget(service).withProperties(properties)
                .withRemoveParameters(false).bind();
        return service;
    }
}
