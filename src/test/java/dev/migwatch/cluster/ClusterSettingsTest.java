package dev.migwatch.cluster;

import dev.migwatch.source.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSettingsTest {

    private static Map<String, String> zk(String basePath) {
        return Map.of("migwatch.cluster.type", "zookeeper", "migwatch.cluster.node-id", "n1",
                "migwatch.cluster.zookeeper.nodes", "zk1:2181", "migwatch.cluster.zookeeper.base-path", basePath);
    }

    @Test
    void aZnodePathOfNamesIsTaken() {
        assertEquals("/ops/migwatch.prod", ClusterSettings.parse(zk("/ops/migwatch.prod"), Map.of()).zookeeperPath());
        assertEquals("/..hidden", ClusterSettings.parse(zk("/..hidden"), Map.of()).zookeeperPath());
    }

    @Test
    void whatZooKeeperRefusesIsAConfigProblem() {
        for (String bad : new String[]{"migwatch", "/migwatch/", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a b"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> ClusterSettings.parse(zk(bad), Map.of()), bad);
            assertTrue(e.getMessage().contains("base-path = " + bad + " is not a znode path"), e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ClusterSettings.parse(zk("/zookeeper/quota"), Map.of()));
        assertTrue(e.getMessage().contains("which ZooKeeper keeps for itself"), e.getMessage());
    }
}
