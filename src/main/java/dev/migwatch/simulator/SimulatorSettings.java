package dev.migwatch.simulator;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a {@link ProviderSimulator} needs: the credentials it accepts, how fast simulated time runs,
 * the seed of every "random" value and the tasks it knows. Immutable; change it with the with-ers.
 *
 * @param securityToken the one STS token accepted (null: requests carrying a token are refused)
 * @param speed         simulated seconds per real second (60 for the demo, thousands in tests)
 * @param threads       worker threads kept; a hang holds one more for its duration, so a few are enough
 * @param nonceWindow   how long a SignatureNonce counts as used
 */
public record SimulatorSettings(
        String accessKeyId,
        String accessKeySecret,
        String securityToken,
        String ucloudPublicKey,
        String ucloudPrivateKey,
        double speed,
        long seed,
        int threads,
        Map<String, OmsScenario> omsProjects,
        Map<String, DtsScenario> dtsJobs,
        Map<String, UdtsScenario> udtsTasks,
        Duration nonceWindow) {

    public static final String DEFAULT_ACCESS_KEY_ID = "sim-access-key-id";
    public static final String DEFAULT_ACCESS_KEY_SECRET = "sim-access-key-secret";
    public static final String DEFAULT_PUBLIC_KEY = "sim-public-key";
    public static final String DEFAULT_PRIVATE_KEY = "sim-private-key";

    public SimulatorSettings {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be > 0: " + speed);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        omsProjects = Collections.unmodifiableMap(new LinkedHashMap<>(omsProjects));
        dtsJobs = Collections.unmodifiableMap(new LinkedHashMap<>(dtsJobs));
        udtsTasks = Collections.unmodifiableMap(new LinkedHashMap<>(udtsTasks));
    }

    /** Default credentials, real-time speed, seed 42, no tasks. */
    public static SimulatorSettings defaults() {
        return new SimulatorSettings(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, null, DEFAULT_PUBLIC_KEY,
                DEFAULT_PRIVATE_KEY, 1, 42, 8, Map.of(), Map.of(), Map.of(), Duration.ofMinutes(15));
    }

    /** The demo set: one minute of migration per real second. */
    public static SimulatorSettings demo() {
        return defaults().withSpeed(60)
                .withOmsProject("np_demo_orders", OmsScenario.FULL_THEN_INCREMENTAL)
                .withOmsProject("np_demo_users", OmsScenario.SLOW_FLAKY)
                .withDtsJob("dtsdemo01", DtsScenario.MIGRATION_WITH_SYNC)
                .withUdtsTask("udts-demo01", UdtsScenario.FULL_AND_INCREMENTAL)
                .withUdtsTask("udts-demo02", UdtsScenario.FAIL_THEN_RECOVER);
    }

    public SimulatorSettings withAlibabaCredentials(String keyId, String secret) {
        return new SimulatorSettings(keyId, secret, securityToken, ucloudPublicKey, ucloudPrivateKey, speed, seed, threads, omsProjects, dtsJobs, udtsTasks, nonceWindow);
    }

    public SimulatorSettings withSecurityToken(String token) {
        return new SimulatorSettings(accessKeyId, accessKeySecret, token, ucloudPublicKey, ucloudPrivateKey, speed, seed, threads, omsProjects, dtsJobs, udtsTasks, nonceWindow);
    }

    public SimulatorSettings withUcloudKeys(String publicKey, String privateKey) {
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, publicKey, privateKey, speed, seed, threads, omsProjects, dtsJobs, udtsTasks, nonceWindow);
    }

    /**
     * How long a used SignatureNonce is remembered (the gateway: 15 minutes). A soak that measures memory
     * shortens it, or the simulator's own nonce memory would grow for its first 15 minutes.
     */
    public SimulatorSettings withNonceWindow(Duration window) {
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, ucloudPublicKey, ucloudPrivateKey, speed, seed, threads,
                omsProjects, dtsJobs, udtsTasks, window);
    }

    public SimulatorSettings withSpeed(double newSpeed) {
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, ucloudPublicKey, ucloudPrivateKey, newSpeed, seed, threads, omsProjects, dtsJobs, udtsTasks, nonceWindow);
    }

    public SimulatorSettings withSeed(long newSeed) {
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, ucloudPublicKey, ucloudPrivateKey, speed, newSeed, threads, omsProjects, dtsJobs, udtsTasks, nonceWindow);
    }

    public SimulatorSettings withThreads(int n) {
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, ucloudPublicKey, ucloudPrivateKey, speed, seed, n, omsProjects, dtsJobs, udtsTasks, nonceWindow);
    }

    public SimulatorSettings withOmsProject(String id, OmsScenario scenario) {
        Map<String, OmsScenario> m = new LinkedHashMap<>(omsProjects);
        m.put(id, scenario);
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, ucloudPublicKey, ucloudPrivateKey, speed, seed, threads, m, dtsJobs, udtsTasks, nonceWindow);
    }

    public SimulatorSettings withDtsJob(String id, DtsScenario scenario) {
        Map<String, DtsScenario> m = new LinkedHashMap<>(dtsJobs);
        m.put(id, scenario);
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, ucloudPublicKey, ucloudPrivateKey, speed, seed, threads, omsProjects, m, udtsTasks, nonceWindow);
    }

    public SimulatorSettings withUdtsTask(String id, UdtsScenario scenario) {
        Map<String, UdtsScenario> m = new LinkedHashMap<>(udtsTasks);
        m.put(id, scenario);
        return new SimulatorSettings(accessKeyId, accessKeySecret, securityToken, ucloudPublicKey, ucloudPrivateKey, speed, seed, threads, omsProjects, dtsJobs, m, nonceWindow);
    }

    @Override
    public String toString() {
        // records print every component: keep the secrets out of logs
        return "SimulatorSettings[accessKeyId=" + accessKeyId + ", ucloudPublicKey=" + ucloudPublicKey + ", speed=" + speed
                + ", seed=" + seed + ", oms=" + omsProjects.keySet() + ", dts=" + dtsJobs.keySet() + ", udts=" + udtsTasks.keySet() + "]";
    }
}
