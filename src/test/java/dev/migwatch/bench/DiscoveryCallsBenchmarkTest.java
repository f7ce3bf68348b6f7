package dev.migwatch.bench;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimTasks.SimTask;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.SimulatorStats;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API calls per hour for an OMS account of 1,000 projects of which 900 finished long ago, polled every 30 s:
 * <ul>
 * <li>before issue 10: every project named in {@code tasks} and polled with its three calls every interval (what
 * migwatch did before; here an idle interval equal to the interval and a budget that never binds);</li>
 * <li>after: {@code tasks = *} with the defaults: ListProjects every 5 minutes, finished projects recorded from it,
 * idle ones polled every 30 minutes at most, 10 requests a second at most.</li>
 * </ul>
 * Each runs for {@code bench.minutes} (default 3) against the simulator at the real intervals, and the calls the
 * simulator served are scaled to an hour, ListProjects by its pages per listing times 12 listings an hour.
 * {@code mvn -B -Pbenchmark test -Dtest=DiscoveryCallsBenchmarkTest -Dbench.minutes=3}
 */
@Tag("benchmark")
class DiscoveryCallsBenchmarkTest {
    static final int RUNNING = 100;
    static final int FINISHED = 900;

    @Test
    void callsPerHourBeforeAndAfter() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("bench.minutes", "3"));
        List<String> lines = new ArrayList<>();
        for (String mode : List.of("before", "after")) {
            Map<String, Long> calls = run(mode, minutes);
            double scale = 60 / minutes;
            long polls = calls.entrySet().stream().filter(e -> e.getKey().startsWith("DescribeProject")).mapToLong(Map.Entry::getValue).sum();
            long list = calls.getOrDefault("ListProjects", 0L);
            // a listing is ceil(1000 / 150) = 7 pages, every 5 minutes: 12 an hour, however many fell in the window
            long listings = (long) Math.ceil(list / 7.0);
            long listPerHour = listings == 0 ? 0 : list / listings * 12;
            long perHour = Math.round(polls * scale) + listPerHour;
            lines.add(String.format(Locale.ROOT, "%-6s %8.1f min: DescribeProject* %,d, ListProjects %,d -> %,d calls an hour (%,d polls, %,d list)",
                    mode, minutes, polls, list, perHour, Math.round(polls * scale), listPerHour));
            assertTrue(polls > 0, mode + " polled nothing");
        }
        lines.forEach(l -> System.out.println("DiscoveryCallsBenchmark: " + l));
    }

    private static Map<String, Long> run(String mode, double minutes) throws Exception {
        ProviderSimulator sim = new ProviderSimulator(SimulatorSettings.defaults().withSpeed(1).withThreads(16), 0);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < FINISHED; i++) {
            String id = String.format("np_done%04d", i);
            sim.tasks().add(SimTask.oms(id, OmsScenario.FULL_ONLY).aged(Duration.ofDays(3)));
            ids.add(id);
        }
        for (int i = 0; i < RUNNING; i++) {
            String id = String.format("np_run%04d", i);
            sim.tasks().add(SimTask.oms(id, OmsScenario.FULL_THEN_INCREMENTAL));
            ids.add(id);
        }
        sim.start();
        Path journal = Files.createTempDirectory("bench-journal");
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("classpath:migwatch/application.properties");
        main.addOverrideProperty("camel.main.configuration-classes", MigwatchConfiguration.class.getName());
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml");
        main.addOverrideProperty("camel.main.shutdownTimeout", "5");
        main.addOverrideProperty("camel.server.enabled", "false");
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("migwatch.db.url", "jdbc:h2:mem:bench-" + mode + ";DB_CLOSE_DELAY=-1");
        main.addOverrideProperty("migwatch.journal.dir", journal.toString());
        String p = "migwatch.sources.bench.";
        main.addOverrideProperty(p + "provider", "oms");
        main.addOverrideProperty(p + "endpoint", sim.baseUri().toString());
        main.addOverrideProperty(p + "access-key-id", sim.settings().accessKeyId());
        main.addOverrideProperty(p + "access-key-secret", sim.settings().accessKeySecret());
        main.addOverrideProperty(p + "interval", "30s");
        if (mode.equals("before")) {
            main.addOverrideProperty(p + "tasks", String.join(",", ids));
            main.addOverrideProperty(p + "idle-interval", "30s");
            main.addOverrideProperty(p + "max-requests-per-second", "100000");
        } else {
            main.addOverrideProperty(p + "tasks", "*");
        }
        main.start();
        try {
            Thread.sleep((long) (minutes * 60_000));
            SimulatorStats stats = sim.stats();
            return new TreeMap<>(stats.byAction());
        } finally {
            main.stop();
            sim.stop();
        }
    }
}
