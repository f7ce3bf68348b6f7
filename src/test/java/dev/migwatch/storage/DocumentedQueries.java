package dev.migwatch.storage;

import dev.migwatch.dts.DtsAdapter;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.poll.ContentHash;
import dev.migwatch.provider.ProviderAdapter;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.udts.UdtsAdapter;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's promise that its queries run as written: fills a database with the three providers'
 * documented example answers, mapped and stored by the real code, then runs every sql block of
 * README.md and every view. Shared by the H2 and the PostgreSQL test.
 */
final class DocumentedQueries {
    private static final Pattern SQL_BLOCK = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL);

    private DocumentedQueries() {
    }

    static List<String> readmeQueries() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<String> queries = new ArrayList<>();
        Matcher m = SQL_BLOCK.matcher(readme);
        while (m.find()) {
            queries.add(m.group(1).trim().replaceAll(";$", ""));
        }
        return queries;
    }

    /** Stores two cycles of each seed example under the README's example names (prod-oms/np_4w3a1 ...). */
    static void fill(DataSource db) throws Exception {
        HistoryStore store = new HistoryStore(db);
        fillPolls(store);
        // and the rollups of that hour, as the maintenance route computes them
        new HistoryMaintenance(db, Retention.defaults(), java.time.Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"),
                java.time.ZoneOffset.UTC), Duration.ofMinutes(1)).run();
        fillAlerts(db);
    }

    /** An alert that fired and resolved, told to two channels, one of which failed; and one that still fires. */
    private static void fillAlerts(DataSource db) {
        dev.migwatch.alert.AlertStore alerts = new dev.migwatch.alert.AlertStore(db);
        Instant since = Instant.parse("2026-05-02T10:00:00Z");
        List<String> channels = List.of("ops", "mail");
        dev.migwatch.alert.Reading above = new dev.migwatch.alert.Reading(true, "412", "300", null, "delay 6 min 52 s, above 5 min");
        alerts.apply(List.of(new dev.migwatch.alert.Transition(null, "lagging", dev.migwatch.alert.AlertCondition.DELAY_ABOVE,
                "prod-oms", "np_4w3a1", dev.migwatch.alert.AlertState.FIRING, since, true,
                dev.migwatch.alert.NotificationKind.FIRING, channels, above),
                new dev.migwatch.alert.Transition(null, "failed", dev.migwatch.alert.AlertCondition.FAILED, "ucloud", "udts-ixdp441",
                        dev.migwatch.alert.AlertState.FIRING, since, true, dev.migwatch.alert.NotificationKind.FIRING, channels,
                        new dev.migwatch.alert.Reading(true, "Failed", null, null, "the task is FAILED"))), since);
        long id = alerts.open().values().stream().filter(a -> a.rule().equals("lagging")).findFirst().orElseThrow().id();
        alerts.apply(List.of(new dev.migwatch.alert.Transition(id, "lagging", dev.migwatch.alert.AlertCondition.DELAY_ABOVE, "prod-oms",
                "np_4w3a1", dev.migwatch.alert.AlertState.RESOLVED, since, false, dev.migwatch.alert.NotificationKind.RESOLVED, channels,
                new dev.migwatch.alert.Reading(false, "12", "300", null, "delay 12 s, not above 5 min"))), since.plusSeconds(720));
        for (dev.migwatch.alert.Notification n : alerts.queued(0, (s, t) -> null)) {
            if (n.channel().equals("ops")) {
                alerts.delivered(n.id(), 1, n.at().plusSeconds(1));
            } else {
                alerts.failed(n.id(), 4, n.at().plusSeconds(36), "MailConnectException: Couldn't connect to host, port: mail.internal, 25");
            }
        }
    }

    private static void fillPolls(HistoryStore store) throws Exception {
        for (int cycle = 0; cycle < 2; cycle++) {
            Instant at = Instant.parse("2026-01-01T10:00:00Z").plusSeconds(30L * cycle);
            store.write(snapshot(new OmsAdapter(), source("prod-oms", Provider.OMS), "np_4w3a1", at, Map.of(
                    "DescribeProject", "seeds/oms/describe-project.json",
                    "DescribeProjectSteps", "seeds/oms/describe-project-steps.json",
                    "DescribeProjectComponents", "seeds/oms/describe-project-components.json")));
            store.write(snapshot(new DtsAdapter(), source("prod-dts", Provider.DTS), "k2gm967v16f1", at,
                    Map.of("ListJobStep", "seeds/dts/list-job-step.json")));
            store.write(snapshot(new UdtsAdapter(), source("ucloud", Provider.UDTS), "udts-ixdp441", at,
                    Map.of("GetUDTSTaskStatus", "seeds/udts/get-udts-task-status.json")));
        }
    }

    /** Runs a query and returns its rows as text, so a failing query fails the test with its SQL. */
    static List<List<String>> rows(DataSource db, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        } catch (SQLException e) {
            throw new SQLException(e.getMessage() + "\n  in: " + sql, e);
        }
        return rows;
    }

    private static TaskSnapshot snapshot(ProviderAdapter adapter, SourceConfig source, String taskId, Instant at,
                                         Map<String, String> bodies) throws Exception {
        List<ApiResponse> responses = new ArrayList<>();
        List<ApiCall> calls = new ArrayList<>();
        List<RawBody> raw = new ArrayList<>();
        for (var e : new LinkedHashMap<>(bodies).entrySet()) {
            String body = resource(e.getValue());
            ApiResponse r = new ApiResponse(e.getKey(), 1, at, 40, 200, "application/json", null, body, null);
            responses.add(r);
            calls.add(adapter.classify(r));
            raw.add(new RawBody(e.getKey(), ContentHash.of(body), "application/json", body));
        }
        TaskContent content = adapter.map(source, taskId, responses);
        return new TaskSnapshot(UUID.randomUUID().toString(), source.name(), source.provider().id(), taskId, at, content.task(),
                content.steps(), content.components(), content.errors(), calls, raw);
    }

    private static SourceConfig source(String name, Provider provider) {
        return new SourceConfig(name, provider, URI.create("https://example.invalid"), "cn-hangzhou", List.of(), Duration.ofSeconds(30),
                "id", Secret.of("secret"), null, SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DocumentedQueries.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
