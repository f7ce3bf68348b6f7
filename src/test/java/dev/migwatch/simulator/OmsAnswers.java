package dev.migwatch.simulator;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's OMS answers at any simulated second, without HTTP: what a benchmark needs to produce weeks of
 * realistic polls in minutes. The bodies are the ones the simulator serves (same code, same seed).
 */
public final class OmsAnswers {
    private final AtomicLong nanos = new AtomicLong();
    private final OmsSimulation simulation;

    public OmsAnswers(Map<String, OmsScenario> projects, Instant epoch) {
        SimulatorSettings settings = SimulatorSettings.defaults();
        for (Map.Entry<String, OmsScenario> p : projects.entrySet()) {
            settings = settings.withOmsProject(p.getKey(), p.getValue());
        }
        this.simulation = new OmsSimulation(settings, new SimClock(epoch, 1.0, nanos::get));
    }

    /** DescribeProject, DescribeProjectSteps and DescribeProjectComponents of one project at simulated second t. */
    public Map<String, String> at(String project, double t) {
        nanos.set((long) (t * 1e9));
        Map<String, String> out = new LinkedHashMap<>();
        out.put("DescribeProject", simulation.describeProject(project).toString());
        out.put("DescribeProjectSteps", simulation.describeProjectSteps(project).toString());
        out.put("DescribeProjectComponents", simulation.describeProjectComponents(project).toString());
        return out;
    }
}
