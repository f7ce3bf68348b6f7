package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Locale;

/**
 * DTS jobs over simulated time, answering ListJobStep as in seed 002: 预检查 → 结构迁移 → 全量迁移 (three
 * sub-jobs finishing at different times) → 增量写入 (running forever, with latency). Quirks kept:
 * State "○ Finished", IncLatencyMilliseconds a number in JobSteps and a string in SubJobSteps,
 * IncLatencySeconds -1 when not applicable, ErrorDetails carrying a success code.
 */
final class DtsSimulation {
    /** Unconfirmed: DTS's answer for an unknown job is not documented; this is the gateway's instance-not-found error. */
    static final String NOT_FOUND_CODE = "Forbidden.InstanceNotFound";
    static final int NOT_FOUND_STATUS = 404;
    private static final int SUB_JOBS = 3;

    private final SimulatorSettings settings;
    private final SimClock clock;

    DtsSimulation(SimulatorSettings settings, SimClock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    boolean knows(String id) {
        return settings.dtsJobs().containsKey(id);
    }

    ObjectNode listJobStep(String id) {
        return listJobStep(id, clock.elapsedSeconds());
    }

    ObjectNode listJobStep(String id, double t) {
        DtsScenario s = settings.dtsJobs().get(id);
        double pre = s.preCheckSeconds;
        double structEnd = pre + s.structSeconds;
        double fullEnd = structEnd + (double) s.rows / s.rps;
        ObjectNode body = Jsons.obj();
        body.put("Success", true);
        body.put("HttpStatusCode", 200);
        body.put("RequestId", OmsSimulation.requestId());
        body.put("Code", "200");
        body.put("UseV2API", true);
        ArrayNode steps = body.putArray("JobSteps");
        steps.add(step(id, t, 1, "01", "预检查", 0, pre, new double[]{1}, false));
        steps.add(step(id, t, 2, "02", "结构迁移", pre, structEnd, new double[]{1}, false));
        // sub-jobs of the full migration end at 70 %, 85 % and 100 % of the step
        steps.add(step(id, t, 3, "03", "全量迁移", structEnd, fullEnd, new double[]{0.7, 0.85, 1}, false));
        if (s.incremental) {
            steps.add(step(id, t, 4, "04", "增量写入", fullEnd, Double.POSITIVE_INFINITY, new double[]{1, 1, 1}, true));
        }
        return body;
    }

    private ObjectNode step(String id, double t, int serial, String code, String name, double start, double end,
                            double[] subEnds, boolean incremental) {
        ObjectNode n = Jsons.obj();
        n.put("JobStepId", shortId(id, code));
        n.put("JobStepName", name);
        n.put("Code", code);
        n.put("Serial", serial);
        int progress = progress(t, start, end, 1);
        String state = state(t, start, end);
        n.put("Progress", incremental && t >= start ? 100 : progress);
        n.put("SubJobCount", subEnds.length);
        long latency = incremental && t >= start ? latency(id, t, start) : -1;
        n.put("IncLatencySeconds", latency);
        n.put("State", state);
        n.put("ErrMsg", "");
        ArrayNode subs = n.putArray("SubJobSteps");
        for (int i = 0; i < subEnds.length; i++) {
            double subEnd = Double.isInfinite(end) ? end : start + (end - start) * subEnds[i];
            ObjectNode sub = subs.addObject();
            sub.put("JobStepId", String.format(Locale.ROOT, "%s_%04d_%04d", id, Integer.parseInt(code), i));
            sub.put("JobStepName", name);
            sub.put("Code", code);
            sub.put("Serial", serial * 100 + i);
            sub.put("Progress", incremental && t >= start ? 100 : progress(t, start, subEnd, 1));
            long subLatency = latency < 0 ? -1 : Math.max(0, latency + SimRandom.between(settings.seed(), id, "sublat" + i, (long) (t / 10), -1, 1));
            sub.put("IncLatencySeconds", subLatency);
            // sub-steps report "running"; finished ones use the same "○ Finished" as the job steps (unconfirmed)
            sub.put("State", t < start ? "NotStarted" : t < subEnd ? "running" : "○ Finished");
            sub.put("ErrMsg", "");
            sub.put("CreateTime", Jsons.dts(clock.epoch().minusSeconds(60)));
            sub.put("BootTime", t < start ? null : Jsons.dts(at(start)));
            sub.put("FinishTime", t < subEnd ? null : Jsons.dts(at(subEnd)));
            sub.put("ModifyTime", Jsons.dts(t < subEnd ? clock.now() : at(subEnd)));
            sub.putArray("ErrorDetails").addObject().put("ErrorCode", "Success").put("HelpUrl", "");
            sub.put("IncLatencyMilliseconds", Long.toString(subLatency < 0 ? -1 : subLatency * 1000 + jitterMs(id, t, i)));
            sub.put("NeedAcceleration", subLatency > 600);
        }
        n.put("CreateTime", Jsons.dts(clock.epoch().minusSeconds(60)));
        n.put("BootTime", t < start ? null : Jsons.dts(at(start)));
        n.put("FinishTime", t < end ? null : Jsons.dts(at(end)));
        n.put("ModifyTime", Jsons.dts(t < end ? clock.now() : at(end)));
        n.putArray("ErrorDetails").addObject().put("ErrorCode", "200").put("HelpUrl", "");
        n.put("IncLatencyMilliseconds", latency < 0 ? -1 : latency * 1000 + jitterMs(id, t, 9));
        n.put("NeedAcceleration", latency > 600);
        return n;
    }

    /** Backlog since the full migration began, caught up exponentially, plus a second or two. */
    private long latency(String id, double t, double incrStart) {
        DtsScenario s = settings.dtsJobs().get(id);
        double backlog = (double) s.rows / s.rps;
        return Math.round(backlog * Math.exp(-(t - incrStart) / Math.max(60, backlog / 6)))
                + SimRandom.between(settings.seed(), id, "lat", (long) (t / 10), 0, 2);
    }

    private long jitterMs(String id, double t, int i) {
        return SimRandom.between(settings.seed(), id, "ms" + i, (long) (t / 10), 0, 999);
    }

    private static String state(double t, double start, double end) {
        return t < start ? "NotStarted" : t < end ? "running" : "○ Finished";
    }

    private static int progress(double t, double start, double end, double unused) {
        if (t < start) {
            return 0;
        }
        if (t >= end) {
            return 100;
        }
        return Double.isInfinite(end) ? 0 : (int) Math.min(99, (t - start) * 100 / (end - start));
    }

    private Instant at(double t) {
        return clock.epoch().plusMillis((long) (t * 1000));
    }

    private String shortId(String id, String what) {
        String s = Long.toString(Math.abs((long) (SimRandom.unit(settings.seed(), id, what, 0) * 1e18)), 36);
        return (s + "000000000000000").substring(0, 15);
    }
}
