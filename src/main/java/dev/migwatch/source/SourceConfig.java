package dev.migwatch.source;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One configured source: a provider account (or a region of it) and the tasks to watch there.
 * Built from {@code migwatch.sources.<name>.*} properties by {@link SourcesConfigParser}.
 *
 * @param tasks          the task ids given by name (without the {@code *} that asks for discovery)
 * @param keyId          AccessKeyId (Alibaba) or PublicKey (UCloud)
 * @param secret         AccessKeySecret (Alibaba) or PrivateKey (UCloud)
 * @param securityToken  STS token (Alibaba), may be null
 * @param projectId      UCloud project, may be null
 * @param discovery      how the account's other tasks are listed, null when {@code tasks} has no {@code *}
 * @param maxRequestsPerSecond the source's request budget, shared by its list, status and step calls
 * @param idleInterval   how often a FINISHED, FAILED or STOPPED task is polled
 */
public record SourceConfig(
        String name,
        Provider provider,
        URI endpoint,
        String region,
        List<String> tasks,
        Duration interval,
        String keyId,
        Secret secret,
        Secret securityToken,
        SignatureMethod signatureMethod,
        String projectId,
        Duration connectTimeout,
        Duration readTimeout,
        Discovery discovery,
        double maxRequestsPerSecond,
        Duration idleInterval) {

    public static final Duration DEFAULT_IDLE_INTERVAL = Duration.ofMinutes(30);

    public SourceConfig {
        tasks = List.copyOf(tasks);
    }

    /** A source of named tasks only, with the provider's default request rate and the default idle interval. */
    public SourceConfig(String name, Provider provider, URI endpoint, String region, List<String> tasks, Duration interval, String keyId,
                        Secret secret, Secret securityToken, SignatureMethod signatureMethod, String projectId, Duration connectTimeout,
                        Duration readTimeout) {
        this(name, provider, endpoint, region, tasks, interval, keyId, secret, securityToken, signatureMethod, projectId, connectTimeout,
                readTimeout, null, provider.defaultMaxRequestsPerSecond(), DEFAULT_IDLE_INTERVAL);
    }

    public boolean discovers() {
        return discovery != null;
    }

    /**
     * Whether the configuration takes the task in: named in tasks, or any task of the account with tasks = * (the task
     * table's gone_at says which of those the list dropped). Unlike the list a node keeps in memory, the same on every
     * node and from the start.
     */
    public boolean covers(String taskId) {
        return discovers() || tasks.contains(taskId);
    }

    @Override
    public String toString() {
        // records print every component; spell it out so no secret can slip into a log line
        return "SourceConfig[" + name + ", " + provider.id() + ", " + endpoint + ", tasks=" + tasks + (discovers() ? " and *" : "") + "]";
    }
}
