package dev.migwatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server on 127.0.0.1 serving the three providers at "/": Alibaba OMS and DTS (routed by the
 * x-acs-action header or the Action parameter) and UCloud UDTS (a JSON body, or GET, with Action
 * GetUDTSTaskStatus). Control endpoints for soak scripts live under /_simulator/ (faults, stats, clock).
 * A hung answer waits in a thread of its own (the worker pool grows for it), so a hang never holds up other requests.
 */
public final class ProviderSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderSimulator.class);
    private static final String JSON = "application/json;charset=utf-8";

    private final SimulatorSettings settings;
    private final int requestedPort;
    private final SimClock clock;
    private final AlibabaGateway alibaba;
    private final UcloudGateway ucloud;
    private final OmsSimulation oms;
    private final DtsSimulation dts;
    private final UdtsSimulation udts;
    private final SimTasks tasks;
    private final AccountRateLimit rateLimit = new AccountRateLimit(System::nanoTime);
    private final FaultInjector faults = new FaultInjector();
    private final SimulatorStats.Counter stats = new SimulatorStats.Counter();
    private final Set<HttpExchange> hung = ConcurrentHashMap.newKeySet();
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    private HttpServer server;
    private ExecutorService workers;

    /** @param port 0 for an ephemeral port */
    public ProviderSimulator(SimulatorSettings settings, int port) {
        this(settings, port, SimClock.startingNow(settings.speed()), Clock.systemUTC());
    }

    /** @param wallClock the real clock the gateways check timestamps against (tests may fix it) */
    public ProviderSimulator(SimulatorSettings settings, int port, SimClock clock, Clock wallClock) {
        this.settings = settings;
        this.requestedPort = port;
        this.clock = clock;
        this.alibaba = new AlibabaGateway(settings, wallClock);
        this.ucloud = new UcloudGateway(settings);
        this.tasks = new SimTasks(settings, clock);
        this.oms = new OmsSimulation(settings, clock, tasks);
        this.dts = new DtsSimulation(settings, clock, tasks);
        this.udts = new UdtsSimulation(settings, clock, tasks);
    }

    public synchronized ProviderSimulator start() throws IOException {
        if (server != null) {
            return this;
        }
        // the JDK server writes an answer's headers and body separately; with Nagle's algorithm on, a keep-alive
        // client's delayed ACK then holds every answer about 40 ms, which no cloud API does (it capped the bare
        // benchmark client at 60 cycles/s). Read once, when the JDK's server configuration is first loaded.
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", requestedPort), 64);
        // settings.threads() threads are kept; a hang holds one more for its duration, so it never holds up other requests
        workers = new ThreadPoolExecutor(settings.threads(), Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("sim-worker"));
        server.setExecutor(workers);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("Provider simulator on {} (speed {}x, seed {}): Alibaba AccessKeyId {}{}, UCloud PublicKey {}; OMS {}, DTS {}, UDTS {}",
                baseUri(), settings.speed(), settings.seed(), settings.accessKeyId(),
                settings.securityToken() == null ? "" : " (STS token accepted)", settings.ucloudPublicKey(),
                settings.omsProjects().keySet(), settings.dtsJobs().keySet(), settings.udtsTasks().keySet());
        return this;
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        hung.forEach(HttpExchange::close);
        hung.clear();
        workers.shutdownNow();
        server = null;
    }

    @Override
    public void close() {
        stop();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public SimulatorSettings settings() {
        return settings;
    }

    public SimClock clock() {
        return clock;
    }

    public FaultInjector faults() {
        return faults;
    }

    /** The accounts' tasks: create, delete or restart tasks while the simulator runs. */
    public SimTasks tasks() {
        return tasks;
    }

    /**
     * Enforces the providers' per-account rate limit: beyond {@code perSecond} requests of one account within any one
     * second, Alibaba answers HTTP 400 Throttling.User and UCloud a RetCode of 2000 or more (0: no limit, the default).
     */
    public void limitRequestsPerSecond(int perSecond) {
        rateLimit.limit(perSecond);
    }

    /** The most requests one account sent within any one second since start (or the last stats reset), limit or not. */
    public int peakRequestsPerSecond() {
        return rateLimit.peakPerSecond();
    }

    /** Requests refused by the per-account rate limit since start (or the last stats reset). */
    public long refusedByRateLimit() {
        return rateLimit.refused();
    }

    public SimulatorStats stats() {
        return stats.snapshot();
    }

    /** When the last requests for a task arrived (wall clock, oldest first; bounded), to prove a task was left alone. */
    public List<java.time.Instant> requestTimes(String task) {
        return stats.times(task);
    }

    public void resetStats() {
        stats.reset();
        rateLimit.reset();
    }

    // ---- request handling -------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try {
            SimRequest r = read(ex);
            if (r.path().startsWith("/_simulator/")) {
                control(ex, r);
                return;
            }
            if (AlibabaGateway.isAlibaba(r)) {
                handleAlibaba(ex, r);
            } else if (UcloudGateway.isUcloud(r)) {
                handleUcloud(ex, r);
            } else {
                SimAnswer a = AlibabaGateway.error(r, null, 404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
                stats.record(null, a.outcome());
                send(ex, a);
            }
        } catch (RuntimeException e) {
            LOG.warn("simulator failed on {} {}", ex.getRequestMethod(), ex.getRequestURI(), e);
            sendBytes(ex, 500, "text/plain", Map.of(), ("simulator error: " + e).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void handleAlibaba(HttpExchange ex, SimRequest r) throws IOException {
        AlibabaGateway.Outcome o = alibaba.verify(r);
        if (o.refusal() != null) {
            stats.record(taskOf(r.params()), o.refusal().outcome());
            send(ex, o.refusal());
            return;
        }
        AlibabaGateway.Call call = o.call();
        stats.action(call.action());
        if (!rateLimit.admit(settings.accessKeyId())) {
            SimAnswer a = AlibabaGateway.error(r, call.provider(), 400, "Throttling.User", "Request was denied due to user flow control.");
            stats.record(taskOf(call.params()), a.outcome());
            send(ex, a);
            return;
        }
        if (AlibabaGateway.isList(call.action())) {
            answer(ex, null, call.action(), false, () -> listAnswer(r, call));
            return;
        }
        String param = call.provider() == AlibabaGateway.Provider.OMS ? "Id" : "DtsJobId";
        String task = call.params().get(param);
        if (task == null || task.isEmpty()) {
            SimAnswer a = AlibabaGateway.error(r, call.provider(), 400, "Missing" + param, param + " is mandatory for this action.");
            stats.record(null, a.outcome());
            send(ex, a);
            return;
        }
        answer(ex, task, call.action(), false, () -> alibabaAnswer(r, call, task));
    }

    private SimAnswer listAnswer(SimRequest r, AlibabaGateway.Call call) {
        try {
            return ok(call.provider() == AlibabaGateway.Provider.OMS ? oms.listProjects(call.params()) : dts.describeDtsJobs(call.params()), true);
        } catch (InvalidParameter e) {
            return AlibabaGateway.error(r, call.provider(), 400, e.code(), e.getMessage());
        }
    }

    private SimAnswer alibabaAnswer(SimRequest r, AlibabaGateway.Call call, String task) {
        if (call.provider() == AlibabaGateway.Provider.DTS) {
            if (!dts.knows(task)) {
                return AlibabaGateway.error(r, call.provider(), DtsSimulation.NOT_FOUND_STATUS, DtsSimulation.NOT_FOUND_CODE,
                        "The specified instance is not found.");
            }
            return ok(dts.listJobStep(task), true);
        }
        if (!oms.knows(task)) {
            return new SimAnswer(200, requestIdHeader(oms.notFound(task)), oms.notFound(task), "NOT_FOUND");
        }
        ObjectNode body = switch (call.action()) {
            case "DescribeProject" -> oms.describeProject(task);
            case "DescribeProjectSteps" -> oms.describeProjectSteps(task);
            default -> oms.describeProjectComponents(task);
        };
        return ok(body, true);
    }

    private void handleUcloud(HttpExchange ex, SimRequest r) throws IOException {
        UcloudGateway.Outcome o = ucloud.verify(r);
        if (o.refusal() != null) {
            Map<String, Object> p = UcloudGateway.params(r);
            stats.record(p == null || p.get("TaskId") == null ? null : p.get("TaskId").toString(), o.refusal().outcome());
            send(ex, o.refusal());
            return;
        }
        stats.action(String.valueOf(o.params().get("Action")));
        if (!rateLimit.admit(settings.ucloudPublicKey())) {
            // unconfirmed wording, as for the THROTTLE fault; the SDKs retry any RetCode >= 2000
            SimAnswer a = UcloudGateway.refusal(2000, "Request too frequently, please try again later");
            stats.record(o.params().get("TaskId") == null ? null : o.params().get("TaskId").toString(), a.outcome());
            send(ex, a);
            return;
        }
        if (UcloudGateway.LIST.equals(o.params().get("Action"))) {
            answer(ex, null, UcloudGateway.LIST, true, () -> {
                try {
                    return ok(udts.listTasks(o.params()), false);
                } catch (InvalidParameter e) {
                    return UcloudGateway.refusal(Integer.parseInt(e.code()), "Params [" + e.param() + "] not available");
                }
            });
            return;
        }
        String task = o.params().get("TaskId").toString();
        answer(ex, task, String.valueOf(o.params().get("Action")), true, () -> udts.knows(task) ? ok(udts.status(task), false)
                : UcloudGateway.refusal(UdtsSimulation.NOT_FOUND_RET_CODE, "task " + task + " not found"));
    }

    private SimAnswer ok(JsonNode body, boolean alibabaHeaders) {
        return new SimAnswer(200, alibabaHeaders ? requestIdHeader(body) : Map.of(), body, "OK");
    }

    private static Map<String, String> requestIdHeader(JsonNode body) {
        JsonNode id = body.get("RequestId");
        return id == null ? Map.of() : Map.of("x-acs-request-id", id.asText());
    }

    private interface AnswerSource {
        SimAnswer get();
    }

    /** Serves the answer, or the fault queued for this task. */
    private void answer(HttpExchange ex, String task, String action, boolean ucloudApi, AnswerSource source) throws IOException {
        Optional<FaultInjector.Fault> fault = faults.next(task, action);
        if (fault.isEmpty()) {
            SimAnswer a = source.get();
            stats.record(task, a.outcome());
            send(ex, a);
            return;
        }
        FaultInjector.Fault f = fault.get();
        stats.record(task, "fault:" + f.kind());
        switch (f.kind()) {
            case SERVER_ERROR -> {
                if (ucloudApi) {
                    // unconfirmed: UCloud's front proxy page; the official SDKs retry 502/503/504
                    sendBytes(ex, 503, "text/html", Map.of(), html(503, "Service Temporarily Unavailable"));
                } else {
                    send(ex, AlibabaGateway.errorFor(hostOf(ex), null, 500, "ServiceUnavailable",
                            "The request has failed due to a temporary failure of the server."));
                }
            }
            case THROTTLE -> {
                if (ucloudApi) {
                    // unconfirmed wording; the SDKs retry any RetCode >= 2000
                    send(ex, UcloudGateway.refusal(f.retCode(), "Request too frequently, please try again later"));
                } else {
                    SimAnswer a = AlibabaGateway.errorFor(hostOf(ex), null, 400, "Throttling.User", "Request was denied due to user flow control.");
                    Map<String, String> h = new LinkedHashMap<>(a.headers());
                    h.put("x-acs-retry-after", Long.toString(f.retryAfterMillis()));
                    send(ex, new SimAnswer(a.status(), h, a.json(), a.outcome()));
                }
            }
            case TOO_MANY_REQUESTS -> {
                Map<String, String> h = Map.of("Retry-After", Long.toString(Math.max(1, (f.retryAfterMillis() + 999) / 1000)));
                if (ucloudApi) {
                    sendBytes(ex, 429, "text/plain", h, "Too Many Requests".getBytes(StandardCharsets.UTF_8));
                } else {
                    SimAnswer a = AlibabaGateway.errorFor(hostOf(ex), null, 429, "Throttling", "Request was denied due to request throttling.");
                    send(ex, new SimAnswer(429, h, a.json(), a.outcome()));
                }
            }
            case HANG -> {
                SimAnswer a = source.get();
                // The hang waits in this handler thread (the pool grows for it, so nothing else waits), not on a timer
                // thread as it used to: a late answer whose client has gone fails, and only an IOException out of the
                // handler makes the JDK server close and forget the connection. Failing on a timer thread, the exchange
                // was closed behind the server's back and the connection stayed in its set for good (see DROP).
                hung.add(ex);
                try {
                    Thread.sleep(f.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("simulator stopped during a hang");
                } finally {
                    hung.remove(ex);
                }
                send(ex, a);
            }
            // No headers sent, the connection dropped. Not with ex.close(): on an exchange without a complete response that
            // closes the socket behind the JDK server's back, which keeps the connection in its set of all connections
            // for good (with its 8 KB read buffer): the soak's heap grew by ~1 MB a minute from dropped and truncated
            // answers alone. An IOException out of the handler makes the server itself close and forget the connection.
            case DROP -> throw new IOException("simulated dropped connection");
            case MALFORMED_JSON -> {
                byte[] full = Jsons.MAPPER.writeValueAsBytes(source.get().json());
                byte[] cut = java.util.Arrays.copyOf(full, Math.max(1, full.length / 2));
                sendBytes(ex, 200, JSON, Map.of(), cut);
            }
            case TRUNCATED_BODY -> {
                byte[] full = Jsons.MAPPER.writeValueAsBytes(source.get().json());
                ex.getResponseHeaders().set("Content-Type", JSON);
                ex.sendResponseHeaders(200, full.length);
                OutputStream out = ex.getResponseBody();
                out.write(full, 0, full.length / 2);
                out.flush();
                // the connection ends short of the announced length; as for DROP, the server closes it (and forgets it)
                throw new IOException("simulated truncated body");
            }
            case HTML_PAGE -> sendBytes(ex, f.retCode(), "text/html", Map.of(), html(f.retCode(), "Bad Gateway"));
            case NON_UTF8 -> {
                JsonNode body = source.get().json();
                String text = Jsons.MAPPER.writeValueAsString(body);
                if (text.chars().allMatch(c -> c < 128) && body instanceof ObjectNode o) {
                    // nothing non-ASCII to mis-encode: add a Chinese message, as the providers' own texts have
                    o.put("Message", "成功");
                    text = Jsons.MAPPER.writeValueAsString(o);
                }
                sendBytes(ex, 200, JSON, Map.of(), text.getBytes(Charset.forName("GB18030")));
            }
        }
    }

    private static byte[] html(int status, String reason) {
        return ("<html>\r\n<head><title>" + status + " " + reason + "</title></head>\r\n<body>\r\n<center><h1>" + status + " " + reason
                + "</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String hostOf(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        return host == null ? "127.0.0.1" : host.replaceFirst(":\\d+$", "");
    }

    private static String taskOf(Map<String, String> params) {
        String id = params.get("Id");
        return id != null ? id : params.get("DtsJobId");
    }

    // ---- control endpoints --------------------------------------------------------------------------------

    private void control(HttpExchange ex, SimRequest r) throws IOException {
        String what = r.path().substring("/_simulator/".length());
        try {
            switch (what) {
                case "stats" -> sendJson(ex, 200, Jsons.MAPPER.valueToTree(stats()));
                case "faults" -> {
                    if (!"POST".equals(r.method())) {
                        sendJson(ex, 405, Jsons.obj().put("error", "POST a JSON fault description"));
                        return;
                    }
                    applyFaultCommand(Jsons.MAPPER.readTree(r.body()));
                    sendJson(ex, 200, Jsons.obj().put("ok", true).put("pending", faults.pending()));
                }
                case "tasks" -> {
                    if ("POST".equals(r.method())) {
                        applyTaskCommand(Jsons.MAPPER.readTree(r.body()));
                    }
                    sendJson(ex, 200, Jsons.obj().put("tasks", tasks.size()));
                }
                case "limits" -> {
                    if ("POST".equals(r.method())) {
                        limitRequestsPerSecond(Jsons.MAPPER.readTree(r.body()).path("requestsPerSecond").asInt(0));
                    }
                    sendJson(ex, 200, Jsons.obj().put("requestsPerSecond", rateLimit.limit()).put("peakPerSecond", peakRequestsPerSecond())
                            .put("refused", refusedByRateLimit()));
                }
                case "clock" -> {
                    if ("POST".equals(r.method())) {
                        JsonNode cmd = Jsons.MAPPER.readTree(r.body());
                        clock.advance(Duration.ofMillis((long) (cmd.path("advanceSeconds").asDouble() * 1000)));
                    }
                    sendJson(ex, 200, Jsons.obj().put("elapsedSeconds", clock.elapsedSeconds()).put("now", clock.now().toString())
                            .put("speed", clock.speed()));
                }
                default -> sendJson(ex, 404, Jsons.obj().put("error", "unknown control endpoint " + what));
            }
        } catch (IOException | IllegalArgumentException e) {
            sendJson(ex, 400, Jsons.obj().put("error", e.getMessage()));
        }
    }

    /**
     * {"create":{"service":"oms","id":"np_x","scenario":"FULL_ONLY","name":"orders","type":"MIGRATION","labels":["prod"],
     * "ageSeconds":7200}} | {"delete":"np_x"} | {"restart":"np_x"}
     */
    void applyTaskCommand(JsonNode cmd) {
        JsonNode create = cmd.get("create");
        if (create != null) {
            SimTasks.Service service = SimTasks.Service.valueOf(create.path("service").asText().toUpperCase(Locale.ROOT));
            String id = create.path("id").asText();
            String scenario = create.path("scenario").asText().toUpperCase(Locale.ROOT);
            SimTasks.SimTask task = switch (service) {
                case OMS -> SimTasks.SimTask.oms(id, OmsScenario.valueOf(scenario.isEmpty() ? "FULL_THEN_INCREMENTAL" : scenario));
                case DTS -> SimTasks.SimTask.dts(id, DtsScenario.valueOf(scenario.isEmpty() ? "MIGRATION_WITH_SYNC" : scenario));
                case UDTS -> SimTasks.SimTask.udts(id, UdtsScenario.valueOf(scenario.isEmpty() ? "FULL_AND_INCREMENTAL" : scenario));
            };
            if (id.isEmpty()) {
                throw new IllegalArgumentException("create needs an id");
            }
            if (create.hasNonNull("name")) {
                task = task.named(create.get("name").asText());
            }
            if (create.hasNonNull("type")) {
                task = task.typed(create.get("type").asText());
            }
            if (create.has("labels")) {
                List<String> labels = new ArrayList<>();
                create.get("labels").forEach(l -> labels.add(l.asText()));
                task = task.labelled(labels.toArray(new String[0]));
            }
            tasks.add(task.aged(Duration.ofMillis((long) (create.path("ageSeconds").asDouble(0) * 1000))));
        }
        if (cmd.hasNonNull("delete")) {
            tasks.remove(cmd.get("delete").asText());
        }
        if (cmd.hasNonNull("restart")) {
            tasks.restart(cmd.get("restart").asText());
        }
    }

    /**
     * {"clear":true} | {"random":{"probability":0.1,"seed":7,"hangMillis":0}} |
     * {"task":"np_x" (omit for any), "action":"DescribeProjectComponents" (omit for any), "kind":"THROTTLE", "times":2 | "always":true, "delayMillis":..,"retryAfterMillis":..,"retCode":..}
     */
    void applyFaultCommand(JsonNode cmd) {
        if (cmd.path("clear").asBoolean(false)) {
            faults.clear();
        }
        JsonNode random = cmd.get("random");
        if (random != null) {
            faults.random(random.path("probability").asDouble(), random.path("seed").asLong(settings.seed()),
                    Duration.ofMillis(random.path("hangMillis").asLong(0)));
        }
        if (cmd.hasNonNull("kind")) {
            FaultInjector.Kind kind = FaultInjector.Kind.valueOf(cmd.get("kind").asText().toUpperCase(Locale.ROOT));
            FaultInjector.Fault base = FaultInjector.Fault.of(kind);
            FaultInjector.Fault f = new FaultInjector.Fault(kind,
                    cmd.has("delayMillis") ? Duration.ofMillis(cmd.get("delayMillis").asLong()) : base.delay(),
                    cmd.path("retryAfterMillis").asLong(base.retryAfterMillis()), cmd.path("retCode").asInt(base.retCode()));
            String task = cmd.hasNonNull("task") ? cmd.get("task").asText() : FaultInjector.ANY_TASK;
            String action = cmd.hasNonNull("action") ? cmd.get("action").asText() : null;
            if (cmd.path("always").asBoolean(false)) {
                faults.always(task, action, f);
            } else {
                faults.queue(task, action, f, cmd.path("times").asInt(1));
            }
        }
    }

    // ---- HTTP plumbing ------------------------------------------------------------------------------------

    private static SimRequest read(HttpExchange ex) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
        byte[] body = ex.getRequestBody().readAllBytes();
        URI uri = ex.getRequestURI();
        return new SimRequest(ex.getRequestMethod().toUpperCase(Locale.ROOT), uri.getRawPath() == null ? "/" : uri.getRawPath(),
                uri.getRawQuery(), headers, body);
    }

    private void send(HttpExchange ex, SimAnswer a) throws IOException {
        sendBytes(ex, a.status(), JSON, a.headers(), Jsons.MAPPER.writeValueAsBytes(a.json()));
    }

    private static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        sendBytes(ex, status, JSON, Map.of(), Jsons.MAPPER.writeValueAsBytes(body));
    }

    private static void sendBytes(HttpExchange ex, int status, String contentType, Map<String, String> headers, byte[] body) throws IOException {
        try {
            ex.getResponseHeaders().set("Content-Type", contentType);
            headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } finally {
            ex.close();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        };
    }
}
