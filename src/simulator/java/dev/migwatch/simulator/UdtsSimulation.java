package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * UDTS tasks over simulated time, answering GetUDTSTaskStatus as in seed 003. Full tasks go Created →
 * Dumping → Loading (Progress counting) → Syncing → Synced; the binlog position is taken when the dump
 * starts and grows once syncing, rotating to the next file at 1 GiB like MySQL's max_binlog_size.
 */
final class UdtsSimulation {
    /** Unconfirmed: UDTS's RetCode for an unknown task is not documented; 8xxx is the UDTS service range. */
    static final int NOT_FOUND_RET_CODE = 8004;
    static final String ACTION = "GetUDTSTaskStatusResponse";
    private static final long BINLOG_SIZE = 1L << 30;
    private static final long BINLOG_BYTES_PER_SECOND = 600_000;
    private static final long REDIS_BYTES_PER_SECOND = 90_000;
    private static final long TOTAL_ROWS = 4_800_000;
    private static final int MAX_RETRY = 3;
    private static final String GTID_UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

    /** Unconfirmed: the largest Limit ListUDTSTask accepts is not documented (the SDK says the default is 20). */
    static final int MAX_LIMIT = 100;

    private final SimulatorSettings settings;
    private final SimClock clock;
    private final SimTasks tasks;

    UdtsSimulation(SimulatorSettings settings, SimClock clock) {
        this(settings, clock, new SimTasks(settings, clock));
    }

    UdtsSimulation(SimulatorSettings settings, SimClock clock, SimTasks tasks) {
        this.settings = settings;
        this.clock = clock;
        this.tasks = tasks;
    }

    boolean knows(String id) {
        return tasks.knows(SimTasks.Service.UDTS, id);
    }

    /**
     * ListUDTSTask: Offset (default 0) and Limit (default 20) as the official SDK documents them; Data is one
     * ListDataItem per task (TaskId, Name, Type, Status, CreateTime, CurRetryCount, MaxRetryCount, Progress) in
     * creation order, and there is no total: a client pages until a page comes back short.
     */
    ObjectNode listTasks(java.util.Map<String, Object> params) {
        int offset = InvalidParameter.intParam(params, "Offset", 0, 0, Integer.MAX_VALUE, "230");
        int limit = InvalidParameter.intParam(params, "Limit", 20, 1, MAX_LIMIT, "230");
        java.util.List<SimTasks.Entry> all = tasks.of(SimTasks.Service.UDTS);
        ObjectNode body = Jsons.obj();
        body.put("Action", "ListUDTSTaskResponse");
        com.fasterxml.jackson.databind.node.ArrayNode data = body.putArray("Data");
        for (int i = offset; i < Math.min(all.size(), offset + limit); i++) {
            SimTasks.Entry e = all.get(i);
            ObjectNode status = (ObjectNode) status(e, tasks.elapsed(e)).get("Data");
            ObjectNode item = data.addObject();
            item.put("TaskId", e.task().id());
            item.put("Name", e.task().name() != null ? e.task().name() : e.task().id());
            item.put("Type", e.task().type());
            item.put("Status", status.get("Status").asText());
            item.put("CreateTime", clock.epoch().plusMillis((long) (e.startAt() * 1000)).minusSeconds(60).getEpochSecond());
            item.put("CurRetryCount", status.get("CurRetryCount").asInt());
            item.put("MaxRetryCount", status.get("MaxRetryCount").asInt());
            item.set("Progress", status.get("Progress"));
        }
        body.put("Message", "");
        body.put("RetCode", 0);
        return body;
    }

    /** A phase of a task's life: status between from and to (simulated seconds). */
    private record Phase(String status, double from, double to, int retries, String failure) {
    }

    ObjectNode status(String id) {
        SimTasks.Entry e = entry(id);
        return status(e, tasks.elapsed(e));
    }

    /** The task's status at second t of its life. */
    ObjectNode status(String id, double t) {
        return status(entry(id), t);
    }

    private SimTasks.Entry entry(String id) {
        return tasks.get(SimTasks.Service.UDTS, id).orElseThrow(() -> new IllegalArgumentException("no UDTS task " + id));
    }

    private ObjectNode status(SimTasks.Entry e, double t) {
        String id = e.task().id();
        UdtsScenario scenario = (UdtsScenario) e.task().scenario();
        Phase p = phaseAt(scenario, t);
        double dumpStart = scenario == UdtsScenario.FAIL_THEN_RECOVER ? 460 : 20;
        double loadStart = dumpStart + 300;
        double loadEnd = loadStart + 1200;
        boolean incrementalOnly = scenario == UdtsScenario.INCREMENTAL_ONLY || scenario == UdtsScenario.REDIS_SYNC;
        double syncStart = incrementalOnly ? 20 : loadEnd;

        ObjectNode body = Jsons.obj();
        body.put("Action", ACTION);
        ObjectNode data = body.putObject("Data");
        data.put("CurRetryCount", p.retries());
        data.put("MaxRetryCount", MAX_RETRY);
        data.put("Status", p.status());
        if (p.failure() != null) {
            data.put("FailedMessage", p.failure());
        }
        ObjectNode progress = data.putObject("Progress");
        if (scenario == UdtsScenario.REDIS_SYNC) {
            if (t >= syncStart) {
                double dt = t - syncStart;
                progress.put("RedisOffsetSize", Math.round(REDIS_BYTES_PER_SECOND * dt));
                progress.put("RedisDelayTime", Math.round(6 + 6 * Math.sin(2 * Math.PI * dt / 600)));
            }
        } else if (!incrementalOnly && t >= 20) {
            long cur = t < loadStart ? 0 : t >= loadEnd ? TOTAL_ROWS : Math.round(TOTAL_ROWS * (t - loadStart) / (loadEnd - loadStart));
            long totalDuration = Math.round(loadEnd - dumpStart);
            long curDuration = Math.round(Math.min(t, loadEnd) - Math.min(t, dumpStart));
            progress.put("CurCount", cur);
            progress.put("CurDuration", Math.max(0, curDuration));
            progress.put("Percentage", Math.round(cur * 10000.0 / TOTAL_ROWS) / 100.0);
            progress.put("TotalCount", TOTAL_ROWS);
            progress.put("TotalDuration", totalDuration);
        }
        ObjectNode sync = data.putObject("Sync");
        if (!p.status().equals("Created") && scenario != UdtsScenario.REDIS_SYNC) {
            long startOffset = 154 + SimRandom.between(settings.seed(), id, "pos", 0, 0, 500_000_000);
            long startFile = 6 + SimRandom.between(settings.seed(), id, "file", 0, 0, 40);
            // a write rate that swings ±30 % over 10 minutes; integrated, so the position never goes back
            double dt = scenario == UdtsScenario.FULL_ONLY ? 0 : Math.max(0, t - syncStart);
            long written = Math.round(BINLOG_BYTES_PER_SECOND * (dt + 0.3 * 600 / (2 * Math.PI) * Math.sin(2 * Math.PI * dt / 600)));
            long absolute = startOffset + written;
            sync.put("BinlogName", String.format("mysql-bin.%06d", startFile + absolute / BINLOG_SIZE));
            sync.put("BinlogPos", absolute % BINLOG_SIZE);
            sync.put("BinlogGTID", GTID_UUID + ":1-" + (1_000_000 + absolute / 650));
        }
        body.put("Message", "");
        body.put("RetCode", 0);
        return body;
    }

    private Phase phaseAt(UdtsScenario scenario, double t) {
        return switch (scenario) {
            case FULL_AND_INCREMENTAL -> full(t, 20, 0);
            case FULL_ONLY -> {
                Phase p = full(t, 20, 0);
                // without incremental sync the task is Done once its data is loaded
                yield p.status().equals("Syncing") || p.status().equals("Synced") ? new Phase("Done", 1520, Double.MAX_VALUE, 0, null) : p;
            }
            case INCREMENTAL_ONLY, REDIS_SYNC -> t < 20 ? new Phase("Created", 0, 20, 0, null)
                    : t < 200 ? new Phase("Syncing", 20, 200, 0, null) : new Phase("Synced", 200, Double.MAX_VALUE, 0, null);
            case FAIL_THEN_RECOVER -> {
                String refused = "dump data failed: dial tcp 10.9.31.12:3306: connect: connection refused";
                if (t < 20) {
                    yield new Phase("Created", 0, 20, 0, null);
                } else if (t < 200) {
                    yield new Phase("Dumping", 20, 200, 0, null);
                } else if (t < 260) {
                    yield new Phase("Failed", 200, 260, 0, refused);
                } else if (t < 320) {
                    yield new Phase("RetryPending", 260, 320, 1, null);
                } else if (t < 340) {
                    yield new Phase("Starting", 320, 340, 1, null);
                } else if (t < 400) {
                    yield new Phase("Failed", 340, 400, 1, refused);
                } else if (t < 440) {
                    yield new Phase("RetryPending", 400, 440, 2, null);
                } else if (t < 460) {
                    yield new Phase("Starting", 440, 460, 2, null);
                }
                yield full(t, 460, 2);
            }
        };
    }

    private static Phase full(double t, double dumpStart, int retries) {
        double loadStart = dumpStart + 300;
        double loadEnd = loadStart + 1200;
        if (t < 20) {
            return new Phase("Created", 0, 20, retries, null);
        } else if (t < loadStart) {
            return new Phase("Dumping", dumpStart, loadStart, retries, null);
        } else if (t < loadEnd) {
            return new Phase("Loading", loadStart, loadEnd, retries, null);
        } else if (t < loadEnd + 300) {
            return new Phase("Syncing", loadEnd, loadEnd + 300, retries, null);
        }
        return new Phase("Synced", loadEnd + 300, Double.MAX_VALUE, retries, null);
    }

    static ObjectNode error(int retCode, String message) {
        ObjectNode body = Jsons.obj();
        body.put("RetCode", retCode);
        body.put("Message", message);
        body.put("Action", ACTION);
        return body;
    }
}
