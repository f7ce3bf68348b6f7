package dev.migwatch.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** A notification written in each channel format: the body (and, for mail, the subject) a channel receives. */
public final class AlertMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertMessages() {
    }

    /** json: the alert's fields (Notification.fields). */
    public static String json(Notification n) {
        return write(n.fields());
    }

    /**
     * dingtalk: a custom robot's markdown message ({"msgtype":"markdown","markdown":{"title","text"}}, DingTalk's robot
     * message types). The title starts with "migwatch", which a robot whose security setting is a keyword can require.
     */
    public static String dingtalk(Notification n) {
        StringBuilder text = new StringBuilder();
        text.append("### ").append(headline(n)).append("\n\n");
        text.append("**").append(n.taskLabel()).append("**").append(n.provider() == null ? "" : " · " + n.provider()).append("\n\n");
        text.append(n.message()).append("\n\n");
        text.append("- condition: ").append(n.condition().id()).append('\n');
        if (n.value() != null) {
            text.append("- value: ").append(n.value()).append(n.threshold() == null ? "" : " (threshold " + n.threshold() + ")").append('\n');
        }
        text.append("- since: ").append(n.since()).append('\n');
        if (n.url() != null) {
            text.append("\n[Open in migwatch](").append(n.url()).append(')');
        }
        Map<String, Object> markdown = new LinkedHashMap<>();
        markdown.put("title", "migwatch " + headline(n));
        markdown.put("text", text.toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("msgtype", "markdown");
        body.put("markdown", markdown);
        return write(body);
    }

    /** slack: an incoming webhook's message ({"text"} in Slack's mrkdwn, with &, < and > escaped as Slack asks). */
    public static String slack(Notification n) {
        StringBuilder text = new StringBuilder();
        text.append('*').append(slackEscape(headline(n))).append("* ").append(slackEscape(n.taskLabel()));
        if (n.provider() != null) {
            text.append(" · ").append(slackEscape(n.provider()));
        }
        text.append('\n').append(slackEscape(n.message()));
        text.append("\ncondition ").append(n.condition().id());
        if (n.value() != null) {
            text.append(", value ").append(slackEscape(n.value())).append(n.threshold() == null ? "" : ", threshold " + slackEscape(n.threshold()));
        }
        text.append(", since ").append(n.since());
        if (n.url() != null) {
            text.append("\n<").append(n.url()).append("|Open in migwatch>");
        }
        return write(Map.of("text", text.toString()));
    }

    /** email: the subject line. */
    public static String emailSubject(Notification n) {
        return "[migwatch] " + headline(n) + ": " + n.taskLabel();
    }

    /** email: a plain-text body. */
    public static String emailBody(Notification n) {
        StringBuilder b = new StringBuilder();
        b.append(headline(n)).append("\n\n");
        b.append("Task:      ").append(n.taskLabel()).append(n.provider() == null ? "" : ", " + n.provider()).append('\n');
        b.append("Condition: ").append(n.condition().id()).append('\n');
        if (n.value() != null) {
            b.append("Value:     ").append(n.value()).append(n.threshold() == null ? "" : " (threshold " + n.threshold() + ")").append('\n');
        }
        b.append("Since:     ").append(n.since()).append('\n');
        b.append("At:        ").append(n.at()).append("\n\n");
        b.append(n.message()).append('\n');
        if (n.url() != null) {
            b.append("\nDashboard: ").append(n.url()).append('\n');
        }
        b.append("\n-- \nmigwatch alert rule ").append(n.rule()).append('\n');
        return b.toString();
    }

    /** FIRING lagging, RESOLVED lagging, FIRING (again) lagging. */
    static String headline(Notification n) {
        return switch (n.kind()) {
            case FIRING -> "FIRING " + n.rule();
            case REPEAT -> "FIRING (still) " + n.rule();
            case RESOLVED -> "RESOLVED " + n.rule();
        };
    }

    private static String slackEscape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
