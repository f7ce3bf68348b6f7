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

    /** DescribeDtsJobs' documented page sizes go up to 30 (10, 20 or 30; an older page said 30, 50 or 100). */
    static final int MAX_PAGE_SIZE = 30;

    private final SimulatorSettings settings;
    private final SimClock clock;
    private final SimTasks tasks;

    DtsSimulation(SimulatorSettings settings, SimClock clock) {
        this(settings, clock, new SimTasks(settings, clock));
    }

    DtsSimulation(SimulatorSettings settings, SimClock clock, SimTasks tasks) {
        this.settings = settings;
        this.clock = clock;
        this.tasks = tasks;
    }

    boolean knows(String id) {
        return tasks.knows(SimTasks.Service.DTS, id);
    }

    ObjectNode listJobStep(String id) {
        SimTasks.Entry e = entry(id);
        return listJobStep(e, tasks.elapsed(e));
    }

    /** The job's steps at second t of its life. */
    ObjectNode listJobStep(String id, double t) {
        return listJobStep(entry(id), t);
    }

    private SimTasks.Entry entry(String id) {
        return tasks.get(SimTasks.Service.DTS, id).orElseThrow(() -> new IllegalArgumentException("no DTS job " + id));
    }

    private ObjectNode listJobStep(SimTasks.Entry e, double t) {
        String id = e.task().id();
        DtsScenario s = (DtsScenario) e.task().scenario();
        Instant origin = origin(e);
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
        steps.add(step(id, s, origin, t, 1, "01", "预检查", 0, pre, new double[]{1}, false));
        steps.add(step(id, s, origin, t, 2, "02", "结构迁移", pre, structEnd, new double[]{1}, false));
        // sub-jobs of the full migration end at 70 %, 85 % and 100 % of the step
        steps.add(step(id, s, origin, t, 3, "03", "全量迁移", structEnd, fullEnd, new double[]{0.7, 0.85, 1}, false));
        if (s.incremental) {
            steps.add(step(id, s, origin, t, 4, "04", "增量写入", fullEnd, Double.POSITIVE_INFINITY, new double[]{1, 1, 1}, true));
        }
        return body;
    }

    /**
     * DescribeDtsJobs (2020-01-01): Region (required), JobType (MIGRATION, the default, SYNC or SUBSCRIBE: one type per
     * call), PageNumber (from 1), PageSize (default 20, at most {@link #MAX_PAGE_SIZE}), Status, Tags (JSON
     * [{"key","value"}]) and Type=name with Params (part of the job name). Jobs come in creation order. Each entry carries
     * Status, Delay (milliseconds for a migration, seconds for a synchronization, as documented), Checkpoint (Unix
     * seconds), Performance (Rps, Flow), DataInitializationStatus and TagList.
     */
    ObjectNode describeDtsJobs(java.util.Map<String, String> params) {
        String region = params.get("Region");
        if (region == null || region.isEmpty()) {
            throw new InvalidParameter("MissingRegion", "Region", "Region is mandatory for this action.");
        }
        int pageNumber = InvalidParameter.intParam(params, "PageNumber", 1, 1, Integer.MAX_VALUE, "InvalidParameter");
        int pageSize = InvalidParameter.intParam(params, "PageSize", 20, 1, MAX_PAGE_SIZE, "InvalidParameter");
        String jobType = params.getOrDefault("JobType", "MIGRATION");
        jobType = jobType.isEmpty() ? "MIGRATION" : jobType.toUpperCase(Locale.ROOT);
        String status = params.get("Status");
        String nameLike = "name".equalsIgnoreCase(params.get("Type")) ? params.get("Params") : null;
        java.util.List<String> tags = new java.util.ArrayList<>();
        if (params.get("Tags") != null && !params.get("Tags").isBlank()) {
            try {
                for (com.fasterxml.jackson.databind.JsonNode tag : Jsons.MAPPER.readTree(params.get("Tags"))) {
                    tags.add(tag.path("key").asText() + "=" + tag.path("value").asText());
                }
            } catch (java.io.IOException e) {
                throw new InvalidParameter("InvalidParameter", "Tags", "The specified parameter Tags is not valid JSON.");
            }
        }
        java.util.List<ObjectNode> matching = new java.util.ArrayList<>();
        for (SimTasks.Entry e : tasks.of(SimTasks.Service.DTS)) {
            SimTasks.SimTask task = e.task();
            if (!jobType.equalsIgnoreCase(task.type())
                    || nameLike != null && !name(task).toLowerCase(Locale.ROOT).contains(nameLike.toLowerCase(Locale.ROOT))
                    || !task.labels().containsAll(tags)) {
                continue;
            }
            ObjectNode job = jobEntry(e, tasks.elapsed(e));
            if (status != null && !status.isEmpty() && !status.equalsIgnoreCase(job.get("Status").asText())) {
                continue;
            }
            matching.add(job);
        }
        ObjectNode body = Jsons.obj();
        body.put("RequestId", OmsSimulation.requestId());
        body.put("HttpStatusCode", 200);
        body.put("Success", true);
        body.put("PageNumber", pageNumber);
        body.put("TotalRecordCount", matching.size());
        ArrayNode list = body.putArray("DtsJobList");
        long from = (long) (pageNumber - 1) * pageSize;
        for (long i = from; i < Math.min(matching.size(), from + pageSize); i++) {
            list.add(matching.get((int) i));
        }
        body.put("PageRecordCount", list.size());
        return body;
    }

    /** One DtsJobList entry: the job as DescribeDtsJobs shows it at second t of its life. */
    private ObjectNode jobEntry(SimTasks.Entry e, double t) {
        SimTasks.SimTask task = e.task();
        String id = task.id();
        DtsScenario s = (DtsScenario) task.scenario();
        Instant origin = origin(e);
        boolean sync = "SYNC".equalsIgnoreCase(task.type());
        double pre = s.preCheckSeconds;
        double structEnd = pre + s.structSeconds;
        double fullEnd = structEnd + (double) s.rows / s.rps;
        boolean incremental = s.incremental && t >= fullEnd;
        boolean finished = !s.incremental && t >= fullEnd;
        String status = t < pre ? "Prechecking" : finished ? "Finished" : incremental ? (sync ? "Synchronizing" : "Migrating")
                : sync ? "Initializing" : "Migrating";
        long latency = incremental ? latency(id, s, t, fullEnd) : 0;
        ObjectNode n = Jsons.obj();
        n.put("DtsJobId", id);
        n.put("DtsInstanceID", "dts" + id);
        n.put("DtsJobName", name(task));
        n.put("JobType", sync ? "sync" : "online");
        n.put("Status", status);
        // documented: milliseconds for a migration task, seconds for a synchronization task
        n.put("Delay", sync ? latency : latency * 1000);
        n.put("Checkpoint", incremental ? Long.toString(clock.now().getEpochSecond() - latency) : "");
        n.put("ErrorMessage", "");
        n.put("CreateTime", Jsons.dts(origin.minusSeconds(60)));
        n.put("PayType", "PostPaid");
        n.put("DtsJobDirection", "Forward");
        n.put("DtsJobClass", "medium");
        ObjectNode mode = n.putObject("MigrationMode");
        mode.put("StructureInitialization", true);
        mode.put("DataInitialization", true);
        mode.put("DataSynchronization", s.incremental);
        long rows = t < structEnd ? 0 : Math.min(s.rows, Math.round((t - structEnd) * s.rps));
        ObjectNode init = n.putObject("DataInitializationStatus");
        init.put("Status", t < structEnd ? "NotStarted" : t < fullEnd ? (sync ? "Initializing" : "Migrating") : "Finished");
        init.put("Percent", Long.toString(rows * 100 / s.rows));
        init.put("Progress", Long.toString(rows));
        init.put("ErrorMessage", "");
        ObjectNode syncStatus = n.putObject("DataSynchronizationStatus");
        syncStatus.put("Status", incremental ? (sync ? "Synchronizing" : "Migrating") : "NotStarted");
        syncStatus.put("Percent", incremental ? "95" : "0");
        syncStatus.put("Progress", "0");
        syncStatus.put("NeedUpgrade", false);
        syncStatus.put("ErrorMessage", "");
        ObjectNode perf = n.putObject("Performance");
        long rps = t >= structEnd && t < fullEnd ? s.rps : incremental ? SimRandom.between(settings.seed(), id, "incrRps", (long) (t / 10), 50, 400) : 0;
        perf.put("Rps", Long.toString(rps));
        perf.put("Flow", String.format(Locale.ROOT, "%.2f", rps * 220 / 1_048_576.0));
        ArrayNode tagList = n.putArray("TagList");
        for (String tag : task.labels()) {
            int eq = tag.indexOf('=');
            tagList.addObject().put("TagKey", eq < 0 ? tag : tag.substring(0, eq)).put("TagValue", eq < 0 ? "" : tag.substring(eq + 1));
        }
        return n;
    }

    /** The display name: the one given at creation, else the job id. */
    static String name(SimTasks.SimTask task) {
        return task.name() != null ? task.name() : task.id();
    }

    private Instant origin(SimTasks.Entry e) {
        return clock.epoch().plusMillis((long) (e.startAt() * 1000));
    }

    private ObjectNode step(String id, DtsScenario scenario, Instant origin, double t, int serial, String code, String name,
                            double start, double end, double[] subEnds, boolean incremental) {
        ObjectNode n = Jsons.obj();
        n.put("JobStepId", shortId(id, code));
        n.put("JobStepName", name);
        n.put("Code", code);
        n.put("Serial", serial);
        int progress = progress(t, start, end, 1);
        String state = state(t, start, end);
        n.put("Progress", incremental && t >= start ? 100 : progress);
        n.put("SubJobCount", subEnds.length);
        long latency = incremental && t >= start ? latency(id, scenario, t, start) : -1;
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
            sub.put("CreateTime", Jsons.dts(origin.minusSeconds(60)));
            sub.put("BootTime", t < start ? null : Jsons.dts(at(origin, start)));
            sub.put("FinishTime", t < subEnd ? null : Jsons.dts(at(origin, subEnd)));
            sub.put("ModifyTime", Jsons.dts(t < subEnd ? clock.now() : at(origin, subEnd)));
            sub.putArray("ErrorDetails").addObject().put("ErrorCode", "Success").put("HelpUrl", "");
            sub.put("IncLatencyMilliseconds", Long.toString(subLatency < 0 ? -1 : subLatency * 1000 + jitterMs(id, t, i)));
            sub.put("NeedAcceleration", subLatency > 600);
        }
        n.put("CreateTime", Jsons.dts(origin.minusSeconds(60)));
        n.put("BootTime", t < start ? null : Jsons.dts(at(origin, start)));
        n.put("FinishTime", t < end ? null : Jsons.dts(at(origin, end)));
        n.put("ModifyTime", Jsons.dts(t < end ? clock.now() : at(origin, end)));
        n.putArray("ErrorDetails").addObject().put("ErrorCode", "200").put("HelpUrl", "");
        n.put("IncLatencyMilliseconds", latency < 0 ? -1 : latency * 1000 + jitterMs(id, t, 9));
        n.put("NeedAcceleration", latency > 600);
        return n;
    }

    /** Backlog since the full migration began, caught up exponentially, plus a second or two. */
    private long latency(String id, DtsScenario s, double t, double incrStart) {
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

    private static Instant at(Instant origin, double t) {
        return origin.plusMillis((long) (t * 1000));
    }

    private String shortId(String id, String what) {
        String s = Long.toString(Math.abs((long) (SimRandom.unit(settings.seed(), id, what, 0) * 1e18)), 36);
        return (s + "000000000000000").substring(0, 15);
    }
}
