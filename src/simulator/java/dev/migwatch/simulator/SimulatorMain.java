package dev.migwatch.simulator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * Runs the demo simulator standalone: {@code --port N} (default 8099, 0 = any), {@code --speed X}
 * (simulated seconds per real second, default 60), {@code --seed N}, {@code --oms-projects N} (N more OMS projects,
 * np_load0001 to np_loadN), {@code --finished-oms-projects N} (N more that finished a day ago, np_done0001 to
 * np_doneN) and {@code --rate-limit N} (requests per second an account may send; 0, the default, for no limit).
 * Logs key ids, never secrets.
 */
public final class SimulatorMain {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorMain.class);

    private SimulatorMain() {
    }

    /** {@code --oms-projects N}: N more OMS projects np_load0001..N (load tests: migwatch watching many tasks). */
    static SimulatorSettings withOmsProjects(SimulatorSettings settings, int n) {
        SimulatorSettings s = settings;
        for (int i = 1; i <= n; i++) {
            s = s.withOmsProject(String.format("np_load%04d", i), OmsScenario.FULL_THEN_INCREMENTAL);
        }
        return s;
    }

    /** {@code --finished-oms-projects N}: N OMS projects np_done0001..N that finished a day ago (idle tasks). */
    static void addFinishedOmsProjects(SimTasks tasks, int n) {
        for (int i = 1; i <= n; i++) {
            tasks.add(SimTasks.SimTask.oms(String.format("np_done%04d", i), OmsScenario.FULL_ONLY).aged(java.time.Duration.ofDays(1)));
        }
    }

    public static void main(String[] args) throws Exception {
        int port = 8099;
        int finished = 0;
        int rateLimit = 0;
        SimulatorSettings settings = SimulatorSettings.demo();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[++i] : null;
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (value == null) {
                throw new IllegalArgumentException("missing value for " + name);
            }
            switch (name) {
                case "--port" -> port = Integer.parseInt(value);
                case "--speed" -> settings = settings.withSpeed(Double.parseDouble(value));
                case "--seed" -> settings = settings.withSeed(Long.parseLong(value));
                case "--oms-projects" -> settings = withOmsProjects(settings, Integer.parseInt(value));
                case "--finished-oms-projects" -> finished = Integer.parseInt(value);
                case "--rate-limit" -> rateLimit = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + name
                        + " (use --port, --speed, --seed, --oms-projects, --finished-oms-projects, --rate-limit)");
            }
        }
        ProviderSimulator sim = new ProviderSimulator(settings, port);
        addFinishedOmsProjects(sim.tasks(), finished);
        sim.limitRequestsPerSecond(rateLimit);
        sim.start();
        if (settings.omsProjects().size() > 10) {
            LOG.info("OMS projects np_load0001 to np_load{} besides the demo ones", String.format("%04d", settings.omsProjects().size() - 2));
        }
        LOG.info("Alibaba AccessKeyId: {}  UCloud PublicKey: {}  (secrets: the documented simulator defaults)",
                settings.accessKeyId(), settings.ucloudPublicKey());
        LOG.info("Control: POST {}/_simulator/faults, GET {}/_simulator/stats, POST {}/_simulator/clock", sim.baseUri(), sim.baseUri(), sim.baseUri());
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.stop();
            done.countDown();
        }));
        done.await();
    }
}
