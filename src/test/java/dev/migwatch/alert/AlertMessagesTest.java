package dev.migwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One notification in each channel format. */
class AlertMessagesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Notification N = new Notification(7, 3, "ops", NotificationKind.FIRING, "lagging", "prod-oms", "oms", "np_4w3a1",
            "orders <eu> & more", AlertCondition.DELAY_ABOVE, "412", "300", Instant.parse("2026-05-01T10:00:00Z"),
            Instant.parse("2026-05-01T10:02:00Z"), "delay 6 min 52 s, above 5 min", "https://mw.example/#/task/prod-oms/np_4w3a1");

    @Test
    void json() throws Exception {
        assertEquals("{\"rule\":\"lagging\",\"state\":\"FIRING\",\"source\":\"prod-oms\",\"provider\":\"oms\",\"taskId\":\"np_4w3a1\","
                + "\"taskName\":\"orders <eu> & more\",\"condition\":\"delay-above\",\"value\":\"412\",\"threshold\":\"300\","
                + "\"since\":\"2026-05-01T10:00:00Z\",\"message\":\"delay 6 min 52 s, above 5 min\","
                + "\"url\":\"https://mw.example/#/task/prod-oms/np_4w3a1\"}", AlertMessages.json(N));
    }

    @Test
    void dingtalkMarkdown() throws Exception {
        JsonNode d = JSON.readTree(AlertMessages.dingtalk(N));
        assertEquals("markdown", d.path("msgtype").asText());
        assertEquals("migwatch FIRING lagging", d.path("markdown").path("title").asText());
        assertEquals("### FIRING lagging\n\n**prod-oms/np_4w3a1 (orders <eu> & more)** · oms\n\ndelay 6 min 52 s, above 5 min\n\n"
                + "- condition: delay-above\n- value: 412 (threshold 300)\n- since: 2026-05-01T10:00:00Z\n\n"
                + "[Open in migwatch](https://mw.example/#/task/prod-oms/np_4w3a1)", d.path("markdown").path("text").asText());
    }

    @Test
    void slackTextIsEscaped() throws Exception {
        JsonNode s = JSON.readTree(AlertMessages.slack(new Notification(7, 3, "ops", NotificationKind.RESOLVED, "lagging", "prod-oms", "oms",
                "np_4w3a1", "orders <eu> & more", AlertCondition.DELAY_ABOVE, "12", "300", N.since(), N.at(), "delay 12 s, not above 5 min",
                N.url())));
        assertEquals("*RESOLVED lagging* prod-oms/np_4w3a1 (orders &lt;eu&gt; &amp; more) · oms\ndelay 12 s, not above 5 min\n"
                + "condition delay-above, value 12, threshold 300, since 2026-05-01T10:00:00Z\n"
                + "<https://mw.example/#/task/prod-oms/np_4w3a1|Open in migwatch>", s.path("text").asText());
    }

    @Test
    void emailSubjectAndBody() {
        assertEquals("[migwatch] FIRING lagging: prod-oms/np_4w3a1 (orders <eu> & more)", AlertMessages.emailSubject(N));
        String body = AlertMessages.emailBody(new Notification(7, 3, "ops", NotificationKind.REPEAT, "lagging", "prod-oms", "oms",
                "np_4w3a1", null, AlertCondition.DELAY_ABOVE, "412", "300", N.since(), N.at(), N.message(), null));
        assertTrue(body.startsWith("FIRING (still) lagging\n\nTask:      prod-oms/np_4w3a1, oms\nCondition: delay-above\n"
                + "Value:     412 (threshold 300)\nSince:     2026-05-01T10:00:00Z\nAt:        2026-05-01T10:02:00Z\n\n"
                + "delay 6 min 52 s, above 5 min\n"), body);
        assertTrue(!body.contains("Dashboard:"), "no dashboard-url, no link");
    }
}
