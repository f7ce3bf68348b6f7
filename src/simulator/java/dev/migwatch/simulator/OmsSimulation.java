package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * OceanBase Migration Service projects over simulated time. Every answer is computed from (seed, project,
 * elapsed): PRE_CHECK → STRUCT_TRANSFER → (INCR_LOG_PULL from here on) FULL_TRANSFER → FULL_VERIFIER →
 * INCR_TRANSFER (RUNNING while it catches up the backlog, then MONITORING); TRANSFER_APP_SWITCH stays INIT
 * because the switchover is a user action. Shapes and quirks follow seeds 000, 001 and 004.
 */
final class OmsSimulation {
    /** Unconfirmed: OMS's code for an unknown project is not documented; this follows the INNER_ERROR style of the deprecated Code. */
    static final String NOT_FOUND_CODE = "PROJECT_NOT_EXIST";
    private static final int EPISODE_WINDOW = 900;
    private static final int EPISODE_LENGTH = 240;
    private static final int SAMPLE_SECONDS = 20;
    private static final int ROW_BYTES = 220;
    /** ListProjects' documented maximum PageSize. */
    static final int MAX_PAGE_SIZE = 150;

    private final SimulatorSettings settings;
    private final SimClock clock;
    private final SimTasks tasks;

    OmsSimulation(SimulatorSettings settings, SimClock clock) {
        this(settings, clock, new SimTasks(settings, clock));
    }

    OmsSimulation(SimulatorSettings settings, SimClock clock, SimTasks tasks) {
        this.settings = settings;
        this.clock = clock;
        this.tasks = tasks;
    }

    boolean knows(String id) {
        return tasks.knows(SimTasks.Service.OMS, id);
    }

    /** One step at one instant. */
    record Step(int order, String name, String description, String status, int progress, Instant start, Instant finish,
                ObjectNode stepInfo, String errorMessage, Instant failedTime) {
    }

    /**
     * The project's whole state at second t of its life.
     *
     * @param origin when the project began (its simulated second 0)
     */
    record Snapshot(String id, SimTasks.SimTask task, Instant origin, double t, List<Step> steps, Phase phase, long delay,
                    long checkpoint, long sample, boolean failing, ObjectNode fullInfo, ObjectNode verifyInfo) {
        OmsScenario scenario() {
            return (OmsScenario) task.scenario();
        }
    }

    enum Phase { PRE_CHECK, STRUCT_TRANSFER, FULL_TRANSFER, FULL_VERIFIER, INCR_TRANSFER, FINISHED }

    Snapshot snapshot(String id) {
        SimTasks.Entry e = entry(id);
        return snapshot(e, tasks.elapsed(e));
    }

    /** The project at second t of its life. */
    Snapshot snapshot(String id, double t) {
        return snapshot(entry(id), t);
    }

    private SimTasks.Entry entry(String id) {
        return tasks.get(SimTasks.Service.OMS, id).orElseThrow(() -> new IllegalArgumentException("no OMS project " + id));
    }

    private Snapshot snapshot(SimTasks.Entry e, double t) {
        String id = e.task().id();
        OmsScenario s = (OmsScenario) e.task().scenario();
        Instant origin = clock.epoch().plusMillis((long) (e.startAt() * 1000));
        double pre = s.preCheckSeconds;
        double structEnd = pre + s.structSeconds;
        double fullEnd = structEnd + (double) s.rows / s.rps;
        double verifyEnd = fullEnd + (double) s.rows / s.verifyRps;
        Phase phase = t < pre ? Phase.PRE_CHECK : t < structEnd ? Phase.STRUCT_TRANSFER : t < fullEnd ? Phase.FULL_TRANSFER
                : t < verifyEnd ? Phase.FULL_VERIFIER : s.incremental ? Phase.INCR_TRANSFER : Phase.FINISHED;

        ObjectNode fullInfo = transferInfo(id, s, t, structEnd, fullEnd, s.rps, "full");
        ObjectNode verifyInfo = transferInfo(id, s, t, fullEnd, verifyEnd, s.verifyRps, "verify");

        long sampleT = (long) Math.floor(t / SAMPLE_SECONDS) * SAMPLE_SECONDS;
        boolean failing = phase == Phase.INCR_TRANSFER && failingAt(id, s, t, verifyEnd);
        long delay = phase == Phase.INCR_TRANSFER ? delayAt(id, s, Math.max(sampleT, verifyEnd), verifyEnd, verifyEnd - structEnd) : 0;
        long sample = origin.getEpochSecond() + Math.max(sampleT, (long) verifyEnd);
        long checkpoint = sample - delay;

        List<Step> steps = new ArrayList<>();
        steps.add(simple(origin, 1, "PRE_CHECK", "预检查", t, 0, pre));
        steps.add(simple(origin, 2, "STRUCT_TRANSFER", "结构迁移", t, pre, structEnd));
        // the log pull starts with the full transfer so no change made meanwhile is lost; it then monitors forever
        if (s.incremental) {
            steps.add(t < structEnd ? step(3, "INCR_LOG_PULL", "增量日志拉取", "INIT", 0, null, null, null)
                    : step(3, "INCR_LOG_PULL", "增量日志拉取", t < structEnd + 60 ? "RUNNING" : "MONITORING",
                    t < structEnd + 60 ? (int) ((t - structEnd) * 100 / 60) : 100, at(origin, structEnd), null, null));
        }
        steps.add(measured(origin, 4, "FULL_TRANSFER", "全量迁移", t, structEnd, fullEnd, fullInfo));
        steps.add(measured(origin, 5, "FULL_VERIFIER", "全量校验", t, fullEnd, verifyEnd, verifyInfo));
        if (!s.incremental) {
            // a migration without incremental sync ends with its verification
        } else if (t < verifyEnd) {
            steps.add(step(6, "INCR_TRANSFER", "增量同步", "INIT", 0, null, null, null));
        } else {
            ObjectNode info = Jsons.obj();
            info.put("incrTimestampCheckpoint", checkpoint);
            info.put("checkpointSampleTimestamp", sample);
            info.put("enableIncrStatistics", true);
            double backlog = verifyEnd - structEnd;
            String status = failing ? "FAILED" : delay > 60 && t < verifyEnd + backlog ? "RUNNING" : "MONITORING";
            int progress = status.equals("MONITORING") ? 100 : (int) Math.max(0, Math.min(99, 100 - delay * 100 / backlog));
            Step st = step(6, "INCR_TRANSFER", "增量同步", status, progress, at(origin, verifyEnd), null, info);
            if (failing) {
                double episodeStart = Math.floor(t / EPISODE_WINDOW) * EPISODE_WINDOW;
                st = new Step(st.order(), st.name(), st.description(), st.status(), st.progress(), st.start(), null, info,
                        "Incr sync connector exited: java.sql.SQLTransientConnectionException: Lock wait timeout exceeded; try restarting transaction",
                        at(origin, Math.max(episodeStart, verifyEnd)));
            }
            steps.add(st);
        }
        if (s.incremental) {
            // the switchover follows the incremental sync, as a user action
            steps.add(step(7, "TRANSFER_APP_SWITCH", "正向切换", "INIT", 0, null, null, null));
        }
        return new Snapshot(id, e.task(), origin, t, steps, phase, delay, checkpoint, sample, failing, fullInfo, verifyInfo);
    }

    private boolean failingAt(String id, OmsScenario s, double t, double incrStart) {
        if (!s.flaky || t < incrStart + 300) {
            return false;
        }
        long window = (long) Math.floor(t / EPISODE_WINDOW);
        return t - window * EPISODE_WINDOW < EPISODE_LENGTH && SimRandom.unit(settings.seed(), id, "episode", window) < 0.35;
    }

    /** Seconds of delay: the backlog caught up exponentially, a stalled checkpoint while failing, then a small jitter. */
    private long delayAt(String id, OmsScenario s, double t, double incrStart, double backlog) {
        double catchUp = backlog * Math.exp(-(t - incrStart) / Math.max(60, backlog / 8));
        double extra = 0;
        if (s.flaky) {
            long window = (long) Math.floor(t / EPISODE_WINDOW);
            double inWindow = t - window * EPISODE_WINDOW;
            if (failingAt(id, s, t, incrStart)) {
                extra = inWindow;
            } else if (window > 0 && failingAt(id, s, (window - 1) * EPISODE_WINDOW + 1, incrStart)) {
                // recovering from the previous window's failure: the stall drains in a few minutes
                extra = EPISODE_LENGTH * Math.exp(-(t - ((window - 1) * EPISODE_WINDOW + EPISODE_LENGTH)) / 90);
            } else if (failingAt(id, s, window * EPISODE_WINDOW + 1, incrStart)) {
                extra = EPISODE_LENGTH * Math.exp(-(inWindow - EPISODE_LENGTH) / 90);
            }
        }
        long jitter = SimRandom.between(settings.seed(), id, "delay", (long) (t / 30), 1, 5);
        return Math.round(catchUp + extra) + jitter;
    }

    /** StepInfo for FULL_TRANSFER / FULL_VERIFIER: processed rows grow with a wavy but monotonic rate. */
    private ObjectNode transferInfo(String id, OmsScenario s, double t, double start, double end, int rps, String what) {
        if (t < start) {
            return null;
        }
        double f = Math.min(1, (t - start) / (end - start));
        double waves = 6;
        // d/df of f + a*sin(2πkf)/(2πk) is 1 + a*cos(2πkf) > 0: the count never goes back
        double curve = f + 0.3 * Math.sin(2 * Math.PI * waves * f) / (2 * Math.PI * waves);
        long processed = Math.min(s.rows, Math.round(s.rows * curve));
        long bucket = (long) (t / 10);
        boolean done = f >= 1;
        double rate = done ? 0 : rps * (1 + 0.3 * Math.cos(2 * Math.PI * waves * f)) * (0.85 + 0.3 * SimRandom.unit(settings.seed(), id, what + "rps", bucket));
        long srcRps = Math.round(rate);
        long dstRps = Math.round(rate * (0.96 + 0.04 * SimRandom.unit(settings.seed(), id, what + "dst", bucket)));
        long srcRt = done ? 0 : SimRandom.between(settings.seed(), id, what + "srcRt", bucket, 1, 9);
        ObjectNode info = Jsons.obj();
        info.put("processedRecords", processed);
        info.put("capacity", s.rows);
        info.put("srcRps", srcRps);
        // srcRt is documented as a string (zh) and as a long (en): serve both, as the API does
        if (SimRandom.unit(settings.seed(), id, what + "rtType", bucket) < 0.5) {
            info.put("srcRt", Long.toString(srcRt));
        } else {
            info.put("srcRt", srcRt);
        }
        info.put("srcIops", srcRps * ROW_BYTES);
        info.put("dstRps", dstRps);
        info.put("dstRt", done ? 0 : SimRandom.between(settings.seed(), id, what + "dstRt", bucket, 2, 14));
        info.put("dstIops", dstRps * ROW_BYTES);
        info.put("srcRpsRef", rps);
        info.put("dstRpsRef", rps);
        info.put("dstRtRef", 10);
        return info;
    }

    private static Step simple(Instant origin, int order, String name, String description, double t, double start, double end) {
        if (t < start) {
            return step(order, name, description, "INIT", 0, null, null, null);
        }
        if (t >= end) {
            return step(order, name, description, "FINISHED", 100, at(origin, start), at(origin, end), null);
        }
        return step(order, name, description, "RUNNING", (int) ((t - start) * 100 / (end - start)), at(origin, start), null, null);
    }

    private static Step measured(Instant origin, int order, String name, String description, double t, double start, double end,
                                 ObjectNode info) {
        if (t < start) {
            return step(order, name, description, "INIT", 0, null, null, null);
        }
        long processed = info.get("processedRecords").asLong();
        long capacity = info.get("capacity").asLong();
        if (t >= end) {
            return step(order, name, description, "FINISHED", 100, at(origin, start), at(origin, end), info);
        }
        return step(order, name, description, "RUNNING", (int) Math.min(99, processed * 100 / capacity), at(origin, start), null, info);
    }

    private static Step step(int order, String name, String description, String status, int progress, Instant start, Instant finish, ObjectNode info) {
        return new Step(order, name, description, status, progress, start, finish, info, null, null);
    }

    private static Instant at(Instant origin, double t) {
        return origin.plusMillis((long) (t * 1000));
    }

    // ---- answers ---------------------------------------------------------------------------------------

    ObjectNode describeProjectSteps(String id) {
        Snapshot snap = snapshot(id);
        ObjectNode body = envelope(true, snap.steps().size());
        body.put("Cost", cost(id)); // a string here, as in seed 004
        body.set("Data", stepsNode(snap));
        return body;
    }

    ObjectNode describeProject(String id) {
        Snapshot snap = snapshot(id);
        ObjectNode body = envelope(true, 1);
        body.put("Cost", cost(id)); // a string here, as in seed 001
        body.set("Data", projectNode(snap));
        return body;
    }

    ObjectNode describeProjectComponents(String id) {
        Snapshot snap = snapshot(id);
        ObjectNode data = componentsNode(snap);
        int total = 0;
        for (var it = data.elements(); it.hasNext(); ) {
            total += it.next().size();
        }
        ObjectNode body = envelope(true, total);
        body.put("Cost", Integer.parseInt(cost(id)) * 12 + 5); // a number here, as in seed 000 ("Cost": 48)
        body.set("Data", data);
        return body;
    }

    /**
     * ListProjects (oceanbasepro 2019-09-01): PageNumber (from 1), PageSize (default 10, at most 150, as documented),
     * Type (MIGRATION / SYNC), Status and LabelIds (JSON arrays, as the official SDK sends list parameters), SearchKey
     * (part of the project's id or name). Projects come newest first (the documented default order, gmtCreate descend);
     * each entry is the DescribeProject Data of the project, Steps and ExtraInfo included.
     */
    ObjectNode listProjects(java.util.Map<String, String> params) {
        int pageNumber = InvalidParameter.intParam(params, "PageNumber", 1, 1, Integer.MAX_VALUE, "InvalidParameter");
        int pageSize = InvalidParameter.intParam(params, "PageSize", 10, 1, MAX_PAGE_SIZE, "InvalidParameter");
        String type = params.get("Type");
        java.util.Set<String> statuses = jsonList(params, "Status");
        java.util.Set<String> labelIds = jsonList(params, "LabelIds");
        String searchKey = params.get("SearchKey");
        List<Snapshot> matching = new ArrayList<>();
        List<SimTasks.Entry> entries = new ArrayList<>(tasks.of(SimTasks.Service.OMS));
        java.util.Collections.reverse(entries);
        for (SimTasks.Entry e : entries) {
            SimTasks.SimTask task = e.task();
            if (type != null && !type.isEmpty() && !type.equalsIgnoreCase(task.type())) {
                continue;
            }
            if (searchKey != null && !searchKey.isEmpty() && !(task.id().toLowerCase(Locale.ROOT).contains(searchKey.toLowerCase(Locale.ROOT))
                    || name(task).toLowerCase(Locale.ROOT).contains(searchKey.toLowerCase(Locale.ROOT)))) {
                continue;
            }
            if (!labelIds.isEmpty() && task.labels().stream().map(OmsSimulation::labelId).noneMatch(labelIds::contains)) {
                continue;
            }
            Snapshot snap = snapshot(e, tasks.elapsed(e));
            if (!statuses.isEmpty() && !statuses.contains(projectStatus(snap))) {
                continue;
            }
            matching.add(snap);
        }
        ObjectNode body = envelope(true, matching.size());
        body.put("PageNumber", pageNumber);
        body.put("PageSize", pageSize);
        body.put("Cost", cost("list"));
        ArrayNode data = body.putArray("Data");
        long from = (long) (pageNumber - 1) * pageSize;
        for (long i = from; i < Math.min(matching.size(), from + pageSize); i++) {
            data.add(projectNode(matching.get((int) i))); // the page only: an entry is some 10 KB of JSON
        }
        return body;
    }

    private static String projectStatus(Snapshot snap) {
        return snap.phase() == Phase.FINISHED ? "FINISHED" : snap.failing() ? "FAILED" : "RUNNING";
    }

    /** OMS list parameters arrive as JSON array text (["RUNNING","FAILED"]); a bare word is taken as a one-item list. */
    private static java.util.Set<String> jsonList(java.util.Map<String, String> params, String name) {
        String v = params.get(name);
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        if (v == null || v.isBlank()) {
            return out;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = Jsons.MAPPER.readTree(v);
            if (n.isArray()) {
                n.forEach(x -> out.add(x.asText()));
                return out;
            }
        } catch (java.io.IOException notJson) {
            // a bare word
        }
        out.add(v.trim());
        return out;
    }

    /** Unknown project: HTTP 200 with Success=false. Chosen because OMS reports business errors in-band (ErrorDetail), the gateway only uses 4xx for its own checks; unconfirmed. */
    ObjectNode notFound(String id) {
        ObjectNode body = Jsons.obj();
        body.put("Success", false);
        ObjectNode detail = errorDetail(NOT_FOUND_CODE, "ERROR", "The project " + id + " does not exist.", "Check the project ID.");
        body.set("ErrorDetail", detail);
        body.put("Code", NOT_FOUND_CODE);
        body.put("Message", "The project " + id + " does not exist.");
        body.put("Advice", "Check the project ID.");
        body.put("RequestId", requestId());
        body.put("Cost", cost(id));
        body.putNull("Data");
        return body;
    }

    private ObjectNode envelope(boolean success, int total) {
        ObjectNode body = Jsons.obj();
        body.put("Success", success);
        // the seeds show ErrorDetail even on success; here its members are null / "null" as the service fills them
        ObjectNode detail = Jsons.obj();
        detail.putNull("Code");
        detail.putNull("Level");
        detail.putNull("Message");
        detail.set("ExtraContext", nullMap());
        detail.put("MessageMcmsKey", "null");
        detail.set("MessageMcmsContext", nullMap());
        detail.put("Reason", "null");
        detail.put("ReasonMcmsKey", "null");
        detail.set("ReasonMcmsContext", nullMap());
        detail.putNull("Proposal");
        detail.put("ProposalMcmsKey", "null");
        detail.set("ProposalMcmsContext", nullMap());
        detail.put("UpstreamErrorDetail", "null");
        body.set("ErrorDetail", detail);
        body.putNull("Code");
        body.putNull("Message");
        body.putNull("Advice");
        body.put("RequestId", requestId());
        body.put("PageNumber", 1);
        body.put("PageSize", 10);
        body.put("TotalCount", total);
        return body;
    }

    private ArrayNode stepsNode(Snapshot snap) {
        ArrayNode arr = Jsons.arr();
        for (Step s : snap.steps()) {
            ObjectNode n = arr.addObject();
            n.put("Order", s.order());
            n.put("Name", s.name());
            n.put("Description", s.description());
            n.put("Status", s.status());
            ObjectNode extra = n.putObject("ExtraInfo");
            ArrayNode errors = extra.putArray("ErrorDetails");
            if (s.errorMessage() != null) {
                // seed 000 shows the code with a trailing newline: keep the quirk
                errors.add(errorDetail("CM-RESOAT1111\n", "ERROR", "A system error occurred.", "Contact the administrator. "));
                extra.put("ErrorCode", "INNER_ERROR");
                extra.put("ErrorMsg", s.errorMessage());
                extra.set("ErrorParam", nullMap());
                extra.put("FailedTime", Jsons.oms(s.failedTime()));
            } else {
                extra.putNull("ErrorCode");
                extra.putNull("ErrorMsg");
                extra.set("ErrorParam", nullMap());
                extra.put("FailedTime", "null");
            }
            n.put("StartTime", Jsons.oms(s.start()));
            n.put("FinishTime", Jsons.oms(s.finish()));
            n.put("Progress", s.progress());
            n.set("StepInfo", s.stepInfo());
        }
        return arr;
    }

    private ObjectNode projectNode(Snapshot snap) {
        String id = snap.id();
        OmsScenario s = snap.scenario();
        ObjectNode d = Jsons.obj();
        String grade = "g_" + shortId(id, "grade");
        d.put("WorkerGradeId", grade);
        ObjectNode gi = d.putObject("WorkerGradeInfo");
        gi.put("Id", grade);
        gi.put("Name", "grade-" + id);
        gi.put("Grade", "OMS_G2_MIGRATION_LARGE");
        gi.put("Spec", "LARGE");
        gi.put("SpecName", "LARGE");
        gi.put("SourceType", "MYSQL");
        gi.put("SourceRegion", "cn-hangzhou");
        gi.put("DestType", "OB_MYSQL");
        gi.put("DestRegion", "cn-hangzhou");
        gi.put("ChargeType", "POSTPAY");
        gi.put("AutoRenewal", false);
        gi.put("Expired", false);
        gi.putNull("EndTime");
        gi.put("GmtCreate", Jsons.oms(snap.origin().minusSeconds(3600)));
        d.put("Id", id);
        d.put("Type", snap.task().type());
        d.put("Name", name(snap.task()));
        ArrayNode labels = d.putArray("Labels");
        for (String label : snap.task().labels()) {
            ObjectNode l = labels.addObject();
            l.put("Id", labelId(label));
            l.put("Name", label);
            l.put("Type", 1);
            l.put("Count", 1);
            l.put("Creator", "oms_sim");
        }
        d.put("Owner", "oms_sim");
        d.put("Importance", "HIGH");
        d.put("Status", projectStatus(snap));
        d.put("GmtCreate", Jsons.oms(snap.origin().minusSeconds(600)));
        d.put("GmtModified", Jsons.oms(lastChange(snap)));
        d.put("GmtStart", Jsons.oms(snap.origin()));
        if (snap.phase() == Phase.FINISHED) {
            d.put("GmtFinish", Jsons.oms(runningStep(snap).finish()));
        } else {
            d.putNull("GmtFinish");
        }
        d.put("DestConnId", "c_" + shortId(id, "dest"));
        d.put("IsMerging", false);
        d.put("IsModifying", false);
        d.put("IsSubProject", false);
        d.put("SourceEndpointType", "MYSQL");
        d.put("SinkEndpointType", "OB_MYSQL");
        ObjectNode mapping = d.putObject("TransferMapping");
        mapping.put("Mode", "SPECIFIC");
        ObjectNode db = mapping.putArray("Databases").addObject();
        db.put("Type", "DATABASE");
        db.put("Id", "db_" + shortId(id, "db"));
        db.put("Name", "app");
        db.put("MappedName", "app");
        db.putNull("TenantName");
        ArrayNode tables = db.putArray("Tables");
        for (int i = 0; i < Math.min(3, s.tables); i++) {
            ObjectNode tn = tables.addObject();
            tn.put("Name", "t_" + i);
            tn.put("MappedName", "t_" + i);
            tn.put("Id", "table_" + i);
            tn.putNull("WhereClause");
            tn.set("FilterColumns", Jsons.arr());
            tn.set("ShardColumns", Jsons.arr());
            tn.putNull("AdbTableSchema");
        }
        db.set("Views", Jsons.arr());
        db.set("SpecificTables", Jsons.arr());
        db.set("SpecificViews", Jsons.arr());
        mapping.set("DatabasesBlack", Jsons.arr());
        mapping.putArray("TableAndViewWhiteList").add("null");
        mapping.putArray("TableAndViewBlackList").add("null");
        ObjectNode common = d.putObject("CommonTransferConfig");
        common.put("TableCategory", "ALL");
        common.put("ActiveActive", false);
        common.put("DataWorksBusinessName", "null");
        common.put("SinkStoreFormat", "");
        common.put("SourceStoreFormat", "");
        d.put("EnableStructTransfer", true);
        d.putObject("StructTransferConfig").put("ByteCharConvertStrategy", "DO_NOTHING_IF_BYTE_USED").put("DeferIndexCreation", true);
        d.put("EnableFullTransfer", true);
        d.put("EnableFullVerify", true);
        ObjectNode full = d.putObject("FullTransferConfig");
        full.put("NonePkUkTruncateDstTable", false);
        full.put("AllowDestTableNotEmpty", false);
        full.put("FullTransferSpeedMode", s.flaky ? "NORMAL" : "FAST");
        full.put("FullVerifySpeedMode", "NORMAL");
        full.put("WriteWorkerNum", 32);
        full.put("ReadWorkerNum", 32);
        full.put("ThrottleRps", 0);
        full.put("ThrottleIOPS", 0);
        d.put("EnableIncrTransfer", s.incremental);
        d.put("EnableIncrVerify", false);
        d.put("EnableReverseIncrTransfer", false);
        ObjectNode incr = d.putObject("IncrTransferConfig");
        incr.put("StartTimestamp", snap.origin().getEpochSecond());
        incr.putArray("RecordTypeWhiteList").add("INSERT").add("UPDATE").add("DELETE");
        incr.put("StoreLogKeptHour", 24);
        incr.put("EnableSequencingWithinTxn", false);
        incr.put("IncrSyncConcurrency", 64);
        incr.put("EnableIncrSyncStatistics", true);
        incr.put("ThrottleRps", 0);
        incr.put("ThrottleIOPS", 0);
        incr.putArray("SupportDDLTypes").add("CREATE_TABLE").add("ALTER_TABLE");
        d.putNull("ReverseIncrTransferConfig");
        d.set("SourceConnectInfo", connectInfo(id, "source", "MYSQL_PUBLIC", "cn-hangzhou", "8.0.32"));
        d.set("SinkConnectInfo", connectInfo(id, "sink", "OB_MYSQL_PUBLIC", "cn-hangzhou", "4.2.1"));
        d.set("Steps", stepsNode(snap));
        ObjectNode extra = d.putObject("ExtraInfo");
        Step running = runningStep(snap);
        // seed 001 spells the pre-check "PRE-CHECK" here (a hyphen, unlike Steps[].Name): kept as the only documented spelling
        extra.put("RunningStep", running.name().equals("PRE_CHECK") ? "PRE-CHECK" : running.name());
        extra.put("RunningProgress", running.progress());
        extra.put("MonitoringIncr", snap.phase() == Phase.INCR_TRANSFER);
        extra.putArray("Subtopics").add("null");
        extra.putArray("ReverseSubtopics").add("null");
        boolean logPull = s.incremental && snap.t() >= s.preCheckSeconds + s.structSeconds;
        if (logPull) {
            extra.put("LogServiceStartCheckpoint", snap.origin().getEpochSecond() + s.preCheckSeconds + s.structSeconds);
        } else {
            extra.putNull("LogServiceStartCheckpoint");
        }
        extra.put("SourceStoreKeptHour", 24);
        extra.put("SyncDelay", snap.delay());
        if (snap.phase() == Phase.INCR_TRANSFER) {
            extra.put("SyncDelaySampleTimestamp", snap.sample());
            extra.put("IncrSyncTimestamp", snap.checkpoint());
        } else {
            extra.putNull("SyncDelaySampleTimestamp");
            extra.putNull("IncrSyncTimestamp");
        }
        extra.put("AccessObSource", false);
        extra.put("OverwriteConfig", false);
        extra.put("IgnoreUnsupportDdl", true);
        extra.putObject("SubDbs");
        extra.putObject("SubConds");
        extra.putObject("SubIds").put("key", "null");
        extra.put("MaxConnectorCount", -1);
        extra.put("StoreIncr", true);
        ObjectNode alarms = d.putObject("AlarmStats");
        alarms.put("Target", "null");
        alarms.put("Alarming", snap.failing());
        alarms.put("RecentlyTriggerCount", snap.failing() ? 1 : 0);
        alarms.putObject("RuleToRecentlyTriggerCount");
        alarms.put("AlarmContent", snap.failing() ? "Incremental synchronization component exception" : "null");
        alarms.put("OpenMonitor", true);
        return d;
    }

    private ObjectNode connectInfo(String id, String side, String engine, String region, String version) {
        ObjectNode c = Jsons.obj();
        c.put("Id", "c_" + shortId(id, side));
        c.put("EndpointName", side + "_" + id);
        c.put("EndpointId", "e_" + shortId(id, side + "e"));
        c.put("EndpointSide", side);
        c.put("DbEngine", engine);
        c.put("ConnectionInfo", "null");
        c.put("Username", "oms_" + side);
        c.put("Version", version);
        c.put("Timezone", "+08:00");
        c.put("Charset", "utf8mb4");
        c.put("NlsLengthSemantics", "null");
        c.put("OperatingSystem", "Linux");
        c.put("Region", region);
        c.put("OcpName", "null");
        c.put("ConnExtraAttributes", "null");
        c.put("Owner", "oms_sim");
        c.put("ResourceOwner", "1325847000000000");
        c.put("Host", side.equals("source") ? "10.0.12.31" : "10.0.40.7");
        c.put("Port", side.equals("source") ? 3306 : 2883);
        return c;
    }

    private ObjectNode componentsNode(Snapshot snap) {
        String id = snap.id();
        OmsScenario s = snap.scenario();
        Instant now = clock.now();
        long nowSec = now.getEpochSecond();
        double structEnd = s.preCheckSeconds + s.structSeconds;
        ObjectNode d = Jsons.obj();
        ArrayNode stores = d.putArray("StoreList");
        if (s.incremental && snap.t() >= structEnd) {
            ObjectNode st = stores.addObject();
            st.put("Name", "10.0.3.17-7145:MYSQL_" + id + "_store:0000000097");
            st.put("Ip", "10.0.3.17");
            st.put("Region", "cn-hangzhou");
            st.put("Topic", "MYSQL_" + id);
            st.put("Subtopic", "MYSQL_" + id + "-0");
            long bucket = (long) (snap.t() / 10);
            st.put("Tps", SimRandom.between(settings.seed(), id, "storeTps", bucket, 80, 900));
            st.put("Delay", SimRandom.between(settings.seed(), id, "storeDelay", bucket, 0, 3));
            st.put("Gmt", nowSec);
            st.put("Conn", 1);
            st.put("Status", "RUNNING");
            st.set("ErrorDetails", Jsons.arr());
            st.put("ToSwitch", false);
            st.put("Port", 2883);
            st.put("StorePort", 2882);
            st.put("BeginCheckpoint", Jsons.oms(at(snap.origin(), structEnd)));
            st.put("EndCheckpoint", Jsons.oms(now.minusSeconds(2)));
            st.putNull("ErrMsg");
            st.put("GmtCreate", Jsons.oms(at(snap.origin(), structEnd)));
            st.put("GmtModified", Jsons.oms(now));
            st.put("LatelyHeartbeatTimeSec", nowSec - SimRandom.between(settings.seed(), id, "hb", bucket, 0, 5));
        }
        d.set("ReverseStoreList", Jsons.arr());
        ArrayNode verify = d.putArray("FullVerifyComponents");
        if (snap.phase() == Phase.FULL_VERIFIER) {
            ObjectNode v = verify.addObject();
            v.put("Region", "cn-hangzhou");
            v.put("Name", "10.0.3.17-9000:" + SimRandom.between(settings.seed(), id, "vpid", 0, 10000, 99999) + ":0000000033");
            long processed = snap.verifyInfo().get("processedRecords").asLong();
            int progress = (int) Math.min(99, processed * 100 / s.rows);
            int checkedTables = (int) (s.tables * processed / s.rows);
            // the flaky project finds a couple of differing tables, as verifications often do
            int inconsistent = s.flaky ? Math.min(checkedTables, 2) : 0;
            v.put("InconsistentQuantity", inconsistent);
            v.put("ConsistentQuantity", checkedTables - inconsistent);
            v.put("Progress", progress);
            v.put("RecordProgress", progress);
            v.put("Status", "RUNNING");
            v.set("ErrorDetails", Jsons.arr());
            v.put("Ip", "10.0.3.17");
            v.put("TaskId", 0);
        }
        ArrayNode imports = d.putArray("FullImportComponents");
        if (snap.phase() == Phase.FULL_TRANSFER) {
            ObjectNode c = imports.addObject();
            c.put("Region", "cn-hangzhou");
            c.put("Name", "10.0.3.17-9000:connector_v2:" + id + "-full_trans-1-0:0000000276");
            c.put("Ip", "10.0.3.17");
            c.put("Identity", id);
            long processed = snap.fullInfo().get("processedRecords").asLong();
            c.put("Progress", (int) Math.min(99, processed * 100 / s.rows));
            c.put("Status", "RUNNING");
            c.put("GmtCreate", Jsons.oms(at(snap.origin(), structEnd)));
            c.put("GmtModify", Jsons.oms(now));
            c.set("ErrorDetails", Jsons.arr());
        }
        ArrayNode incr = d.putArray("IncrSyncComponents");
        if (snap.phase() == Phase.INCR_TRANSFER) {
            ObjectNode c = incr.addObject();
            c.put("Region", "cn-hangzhou");
            c.put("Name", "10.0.3.17-9000:connector_v2:" + id + "-incr_trans-1-0:0000000277");
            c.put("Ip", "10.0.3.17");
            c.put("Identity", id);
            c.putArray("Subtopics").addNull();
            c.put("Status", snap.failing() ? "EXCEPTION" : "RUNNING");
            c.put("Checkpoint", Jsons.oms(Instant.ofEpochSecond(snap.checkpoint())));
            c.put("Tps", snap.failing() ? 0 : SimRandom.between(settings.seed(), id, "incrTps", (long) (snap.t() / 10), 20, 700));
            c.put("Delay", snap.delay());
            c.put("CheckpointSampleTimestamp", snap.sample());
            c.put("GmtCreate", Jsons.oms(stepNamed(snap, "INCR_TRANSFER").start()));
            c.put("GmtModify", Jsons.oms(now));
            ArrayNode errors = c.putArray("ErrorDetails");
            if (snap.failing()) {
                errors.add(errorDetail("CM-RESOAT1111\n", "ERROR", "A system error occurred.", "Contact the administrator. "));
            }
        }
        d.set("ReverseIncrSyncComponents", Jsons.arr());
        return d;
    }

    private Step runningStep(Snapshot snap) {
        return stepNamed(snap, switch (snap.phase()) {
            case PRE_CHECK -> "PRE_CHECK";
            case STRUCT_TRANSFER -> "STRUCT_TRANSFER";
            case FULL_TRANSFER -> "FULL_TRANSFER";
            case FULL_VERIFIER, FINISHED -> "FULL_VERIFIER";
            case INCR_TRANSFER -> "INCR_TRANSFER";
        });
    }

    private static Step stepNamed(Snapshot snap, String name) {
        return snap.steps().stream().filter(st -> st.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no step " + name));
    }

    /** The display name: the one given at creation, else the id without its np_ prefix. */
    static String name(SimTasks.SimTask task) {
        return task.name() != null ? task.name() : task.id().replaceFirst("^np_", "");
    }

    /** OMS label ids look like l_4w3a****: derived from the name, so that one label has one id across projects. */
    static String labelId(String label) {
        return "l_" + Long.toString(Math.abs((long) label.hashCode()), 36);
    }

    private Instant lastChange(Snapshot snap) {
        Step r = runningStep(snap);
        return r.start() == null ? snap.origin() : r.start();
    }

    static ObjectNode errorDetail(String code, String level, String message, String proposal) {
        ObjectNode e = Jsons.obj();
        e.put("Code", code);
        e.put("Level", level);
        e.put("Message", message);
        e.set("ExtraContext", nullMap());
        e.put("MessageMcmsKey", "null");
        e.set("MessageMcmsContext", nullMap());
        e.put("Reason", "null");
        e.put("ReasonMcmsKey", "null");
        e.set("ReasonMcmsContext", nullMap());
        e.put("Proposal", proposal);
        e.put("ProposalMcmsKey", "null");
        e.set("ProposalMcmsContext", nullMap());
        e.put("UpstreamErrorDetail", "null");
        return e;
    }

    private static ObjectNode nullMap() {
        ObjectNode m = Jsons.obj();
        m.put("key", "null");
        return m;
    }

    private String cost(String id) {
        return Long.toString(SimRandom.between(settings.seed(), id, "cost", System.nanoTime(), 1, 4));
    }

    private String shortId(String id, String what) {
        return Long.toString(Math.abs((long) (SimRandom.unit(settings.seed(), id, what, 0) * 1e12)), 36).toLowerCase(Locale.ROOT);
    }

    static String requestId() {
        return UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
    }
}
