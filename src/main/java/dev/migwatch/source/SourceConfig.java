package dev.migwatch.source;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One configured source: a provider account (or a region of it) and the tasks to watch there.
 * Built from {@code migwatch.sources.<name>.*} properties by {@link SourcesConfigParser}.
 *
 * @param keyId          AccessKeyId (Alibaba) or PublicKey (UCloud)
 * @param secret         AccessKeySecret (Alibaba) or PrivateKey (UCloud)
 * @param securityToken  STS token (Alibaba), may be null
 * @param projectId      UCloud project, may be null
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
        Duration readTimeout) {

    public SourceConfig {
        tasks = List.copyOf(tasks);
    }

    @Override
    public String toString() {
        // records print every component; spell it out so no secret can slip into a log line
        return "SourceConfig[" + name + ", " + provider.id() + ", " + endpoint + ", tasks=" + tasks + "]";
    }
}
