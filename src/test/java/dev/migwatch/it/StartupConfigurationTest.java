package dev.migwatch.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts the real application (a separate JVM, as a user would) with broken configurations: each must
 * stop before any polling with exit code 2 and one message that names the property and the fix, no
 * stack trace alone, and never the secret.
 */
class StartupConfigurationTest {
    private static final String SECRET = "Sup3r-Secret-Value-42";

    @TempDir
    Path workDir;

    @Test
    void withoutSourcesItSaysHowToConfigureOne() throws Exception {
        Run run = start(List.of());
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("No source is configured"), run.output);
        assertTrue(run.output.contains("migwatch.sources.prod-oms.provider = oms"), run.output);
        assertTrue(run.output.contains("--demo"), run.output);
    }

    @Test
    void anUnknownProviderAndAMalformedIntervalAreNamed() throws Exception {
        Run run = start(List.of("-Dmigwatch.sources.x.provider=azure", "-Dmigwatch.sources.y.provider=oms",
                "-Dmigwatch.sources.y.region=cn-hangzhou", "-Dmigwatch.sources.y.tasks=np_1", "-Dmigwatch.sources.y.interval=soon",
                "-Dmigwatch.sources.y.access-key-id=id", "-Dmigwatch.sources.y.access-key-secret=" + SECRET,
                "-Dmigwatch.retry.max-attempts=zero", "-Dmigwatch.journal.replay-interval=often",
                "-Dmigwatch.health.journal-backlog=-1", "-Dmigwatch.health.database-timeout=fast", "-Dmigwatch.metrics.eta-interval=hourly"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.sources.x.provider is 'azure', which is not known: set it to oms, dts or udts"), run.output);
        assertTrue(run.output.contains("migwatch.sources.y.interval 'soon' is not a duration"), run.output);
        assertTrue(run.output.contains("migwatch.retry.max-attempts 'zero' is not a whole number"), run.output);
        assertTrue(run.output.contains("migwatch.journal.replay-interval 'often' is not a duration"), run.output);
        assertTrue(run.output.contains("migwatch.health.journal-backlog '-1' is not a whole number of at least 0"), run.output);
        assertTrue(run.output.contains("migwatch.health.database-timeout 'fast' is not a duration"), run.output);
        assertTrue(run.output.contains("migwatch.metrics.eta-interval 'hourly' is not a duration"), run.output);
        assertFalse(run.output.contains(SECRET), "the secret never appears");
        assertFalse(run.output.contains("Started poll-"), "no polling started");
    }

    @Test
    void discoveryMistakesAreNamedWithTheOthers() throws Exception {
        Run run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=*", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.sources.o.discover.name=orders-[eu",
                "-Dmigwatch.sources.o.discovery-interval=hourly", "-Dmigwatch.sources.o.discover.tags=prod",
                "-Dmigwatch.sources.o.max-requests-per-second=fast", "-Dmigwatch.sources.o.idle-interval=-1m"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.sources.o.discover.name 'orders-[eu' is not a valid glob"), run.output);
        assertTrue(run.output.contains("migwatch.sources.o.discovery-interval 'hourly' is not a duration"), run.output);
        assertTrue(run.output.contains("unknown property 'migwatch.sources.o.discover.tags'"), run.output);
        assertTrue(run.output.contains("migwatch.sources.o.max-requests-per-second 'fast' is not a number"), run.output);
        assertTrue(run.output.contains("migwatch.sources.o.idle-interval '-1m' is not a duration"), run.output);
        assertFalse(run.output.contains(SECRET), "the secret never appears");
        assertFalse(run.output.contains("Started poll-"), "no polling started");
    }

    @Test
    void missingCredentialsAndUnknownPropertiesAreNamed() throws Exception {
        Run run = start(List.of("-Dmigwatch.sources.u.provider=udts", "-Dmigwatch.sources.u.tasks=udts-1",
                "-Dmigwatch.sources.u.public-key=pk", "-Dmigwatch.db.uri=jdbc:h2:mem:x"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.sources.u.private-key is missing or empty"), run.output);
        assertTrue(run.output.contains("unknown property 'migwatch.db.uri'"), run.output);
    }

    @Test
    void anUnreachableDatabaseStopsTheStartWithTheUrl() throws Exception {
        Run run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET,
                "-Dmigwatch.db.url=jdbc:postgresql://127.0.0.1:1/migwatch", "-Dmigwatch.db.password=" + SECRET));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("Cannot open the history database migwatch.db.url = jdbc:postgresql://127.0.0.1:1/migwatch"), run.output);
        assertTrue(run.output.contains("Check that the database is running"), run.output);
        assertFalse(run.output.contains(SECRET), "the secret never appears");
        assertFalse(run.output.contains("Started poll-"), "no polling started");
    }

    @Test
    void aSchemaTheMigrationsCannotUpdateStopsTheStart() throws Exception {
        String url = "jdbc:h2:file:" + workDir.resolve("clash");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url)) {
            c.createStatement().execute("CREATE TABLE task_sample (x INT)"); // not migwatch's: V1 cannot create its own
        }
        Run run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.db.url=" + url));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("Cannot create or update migwatch's tables in migwatch.db.url = " + url), run.output);
        assertFalse(run.output.contains("Started poll-"), "no polling started");
    }

    @Test
    void applicationPropertiesInTheWorkingDirectoryWinOverTheDefaults() throws Exception {
        Files.writeString(workDir.resolve("application.properties"), String.join("\n",
                "migwatch.db.url = jdbc:postgresql://127.0.0.1:1/from-working-dir",
                "migwatch.sources.w.provider = dts",
                "migwatch.sources.w.region = cn-hangzhou",
                "migwatch.sources.w.access-key-id = id",
                "migwatch.sources.w.access-key-secret = " + SECRET,
                "migwatch.sources.w.tasks = k2gm"));
        Run run = start(List.of());
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.db.url = jdbc:postgresql://127.0.0.1:1/from-working-dir"), run.output);
        assertFalse(run.output.contains(SECRET));
    }

    @Test
    void aTakenHttpPortIsAStartupError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run run = start(List.of("-Dcamel.server.enabled=true", "-Dcamel.server.port=" + taken.getLocalPort(),
                    "-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                    "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                    "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.db.url=jdbc:h2:mem:port"));
            assertEquals(2, run.exitCode, run.output);
            assertTrue(run.output.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), run.output);
            assertTrue(run.output.contains("camel.server.port"), run.output);
        }
    }

    @Test
    void anonymousAccessFromOtherMachinesIsRefusedUnlessAllowed() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> source = List.of("-Dcamel.server.enabled=true", "-Dcamel.server.host=0.0.0.0", "-Dcamel.server.port=" + port,
                "-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.db.url=jdbc:h2:mem:anon");
        Run run = start(source);
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("camel.server.host = 0.0.0.0 lets other machines read the API"), run.output);
        assertTrue(run.output.contains("migwatch.http.allow-anonymous = true"), run.output);
        assertFalse(run.output.contains("Started poll-"), "no polling started");

        List<String> basicWithoutPassword = new ArrayList<>(source);
        basicWithoutPassword.add("-Dmigwatch.http.auth=basic");
        basicWithoutPassword.add("-Dmigwatch.http.user=viewer");
        run = start(basicWithoutPassword);
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.http.auth = basic needs migwatch.http.user and migwatch.http.password"), run.output);
    }

    @Test
    void clusterSettingsAreChecked() throws Exception {
        Run run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.cluster.type=file",
                "-Dmigwatch.cluster.file.lock-interval=often"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.cluster.file.root is missing"), run.output);
        assertTrue(run.output.contains("migwatch.cluster.file.lock-interval 'often' is not a duration"), run.output);

        run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.cluster.type=raft"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.cluster.type 'raft' is not known: set it to none, file, zookeeper or kubernetes"), run.output);

        run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.cluster.type=kubernetes"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("build it with mvn -B -Pkubernetes package"), run.output);

        // all of a ZooKeeper node's problems at once
        run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.cluster.type=zookeeper",
                "-Dmigwatch.cluster.session-timeout=200ms", "-Dmigwatch.cluster.zookeeper.base-path=migwatch/"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.cluster.zookeeper.nodes is missing"), run.output);
        assertTrue(run.output.contains("migwatch.cluster.session-timeout = 200ms is too short: at least 1s"), run.output);
        assertTrue(run.output.contains("migwatch.cluster.zookeeper.base-path = migwatch/ is not a znode path"), run.output);
    }

    @Test
    void alertRuleAndChannelMistakesAreNamedWithTheOthersAndNoChannelSecretIsShown() throws Exception {
        Run run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.sources.o.interval=soon",
                "-Dmigwatch.alerts.rules.lagging.condition=delay-above", "-Dmigwatch.alerts.rules.lagging.threshold=5 minutes",
                "-Dmigwatch.alerts.rules.lagging.channels=ops,dba-mail", "-Dmigwatch.alerts.rules.lagging.repeet=1h",
                "-Dmigwatch.alerts.rules.odd.condition=slow",
                "-Dmigwatch.alerts.channels.ops.uri=https://oapi.dingtalk.com/robot/send?access_token=" + SECRET,
                "-Dmigwatch.alerts.channels.ops.format=teams",
                "-Dmigwatch.alerts.channels.mail.uri=smtp://alerts:" + SECRET + "@mail.internal:25?to=dba@example.com&colour=red"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.sources.o.interval 'soon' is not a duration"), "with the sources' problems: " + run.output);
        assertTrue(run.output.contains("migwatch.alerts.rules.lagging.threshold '5 minutes' is not a duration"), run.output);
        assertTrue(run.output.contains("migwatch.alerts.rules.lagging.channels names 'dba-mail', which is not a channel"), run.output);
        assertTrue(run.output.contains("unknown property 'migwatch.alerts.rules.lagging.repeet'"), run.output);
        assertTrue(run.output.contains("migwatch.alerts.rules.odd.condition 'slow' is not known: use one of delay-above, failed, "
                + "stalled, polls-failing, eta-after, finished"), run.output);
        assertTrue(run.output.contains("migwatch.alerts.channels.ops.format 'teams' is not known: use json, dingtalk, slack, email"), run.output);
        // an option camel-mail does not have: Camel cannot make the endpoint, said at start with the URI masked
        assertTrue(run.output.contains("migwatch.alerts.channels.mail.uri 'smtp://alerts:****@mail.internal:25?to=dba@example.com&colour=red' "
                + "is not an endpoint Camel can make"), run.output);
        assertTrue(run.output.contains("colour"), run.output);
        assertFalse(run.output.contains(SECRET), "the secret never appears");
        assertFalse(run.output.contains("Started poll-"), "no polling started");
    }

    @Test
    void alertRulesWithoutTheAlertRoutesSayWhichFileIsMissing() throws Exception {
        // a routes/ folder from before the alerts (it wins over the jar's), or an embedding application's pattern without
        // migwatch-alerts.camel.yaml: the rules' routes have no template to come from
        Files.createDirectories(workDir.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(f -> !f.getFileName().toString().equals("migwatch-alerts.camel.yaml")).toList()) {
                Files.copy(f, workDir.resolve("routes").resolve(f.getFileName()));
            }
        }
        Run run = start(List.of("-Dmigwatch.sources.o.provider=oms", "-Dmigwatch.sources.o.region=cn-hangzhou",
                "-Dmigwatch.sources.o.tasks=np_1", "-Dmigwatch.sources.o.access-key-id=id",
                "-Dmigwatch.sources.o.access-key-secret=" + SECRET, "-Dmigwatch.sources.o.endpoint=http://127.0.0.1:1",
                "-Dmigwatch.alerts.rules.broken.condition=failed"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.alerts.* needs the routes of migwatch-alerts.camel.yaml"), run.output);
        assertFalse(run.output.contains("Cannot find RouteTemplate"), "no stack trace: " + run.output);
    }

    @Test
    void sourcesCanComeFromEnvironmentVariables() throws Exception {
        Run run = start(List.of(), Map.of(
                "MIGWATCH_SOURCES_ENV_DTS_PROVIDER", "dts",
                "MIGWATCH_SOURCES_ENV_DTS_TASKS", "k2gm",
                "MIGWATCH_SOURCES_ENV_DTS_ACCESS_KEY_ID", "id",
                "MIGWATCH_SOURCES_ENV_DTS_ACCESS_KEY_SECRET", SECRET,
                "MIGWATCH_DB_URL", "jdbc:postgresql://127.0.0.1:1/from-env"));
        assertEquals(2, run.exitCode, run.output);
        assertTrue(run.output.contains("migwatch.sources.env-dts.region is missing"), run.output);
        assertFalse(run.output.contains(SECRET));
    }

    private Run start(List<String> systemProperties) throws IOException, InterruptedException {
        return start(systemProperties, Map.of());
    }

    private Run start(List<String> systemProperties, Map<String, String> environment) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dcamel.server.enabled=false");
        command.add("-Dcamel.management.enabled=false");
        command.addAll(systemProperties);
        command.add("dev.migwatch.MigwatchApplication");
        Path log = workDir.resolve("out.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process p = builder.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the application did not stop by itself:\n" + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private record Run(int exitCode, String output) {
    }
}
