package dev.migwatch.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.http.common.HttpCommonEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Writes a notification for its channel and records how its delivery went ({@code alertDelivery}), for the
 * migwatch-alert-channel and migwatch-alert-send routes: they say where it goes and retry it; this bean computes the
 * message and keeps the outcome in alert_notification. Whatever it logs or stores of an error is masked with the
 * channel's secrets first.
 */
public class AlertDelivery {
    /** The notification being delivered (the body becomes its message). */
    public static final String NOTIFICATION = "migwatchAlertNotification";
    /** How many times it was sent so far. */
    static final String ATTEMPTS = "migwatchAlertAttempts";
    private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, AlertChannel> channels;
    private final AlertStore store;
    private final Clock clock;
    /** A DingTalk webhook's own query (access_token=...), without Camel's endpoint options: the signed query starts from it. */
    private final Map<String, String> webhookQueries = new ConcurrentHashMap<>();
    private final BooleanSupplier leading;
    private final Runnable handedOver;

    /** A single node's: it always leads the alerts. */
    public AlertDelivery(Map<String, AlertChannel> channels, AlertStore store, Clock clock) {
        this(channels, store, clock, () -> true, () -> { });
    }

    /**
     * @param leading    whether this node leads the alerts (the master: namespace of the evaluation) now
     * @param handedOver called when this node leaves a notification to the leader: should it lead again, its evaluation
     *                   must send every notification still QUEUED, not only those it made since (AlertEvaluator.resendQueued)
     */
    public AlertDelivery(Map<String, AlertChannel> channels, AlertStore store, Clock clock, BooleanSupplier leading, Runnable handedOver) {
        this.channels = Map.copyOf(channels);
        this.store = store;
        this.clock = clock;
        this.leading = leading;
        this.handedOver = handedOver;
    }

    /**
     * Whether this node no longer leads the alerts, asked before each attempt (migwatch-alert-send, after render). The node that leads next sends every
     * notification still QUEUED at its first evaluation, among them the one this node is trying again (its channel down):
     * had this node gone on, the channel would get it twice once back. So it stops and leaves it QUEUED, to the leader.
     */
    public boolean handedOver(Exchange ex) {
        if (leading.getAsBoolean()) {
            return false;
        }
        Notification n = ex.getProperty(NOTIFICATION, Notification.class);
        LOG.info("Alert notification {} ({} {} of {}/{}) to channel {} is left to the node that leads the alerts now", n.id(),
                n.rule(), n.state(), n.source(), n.taskId(), n.channel());
        handedOver.run();
        return true;
    }

    /** The notification in the body becomes the channel's message; nothing else of the exchange goes along as a header. */
    public void render(Exchange ex) {
        Notification n = ex.getIn().getBody(Notification.class);
        ex.setProperty(NOTIFICATION, n);
        AlertChannel channel = channel(n);
        Message m = ex.getMessage();
        // camel-http sends message headers as HTTP headers, camel-mail as mail headers: only those set here may go
        m.removeHeaders("*");
        switch (channel.format()) {
            case JSON -> json(m, AlertMessages.json(n));
            case SLACK -> json(m, AlertMessages.slack(n));
            // a signed robot's query is made by each attempt (see attempt)
            case DINGTALK -> json(m, AlertMessages.dingtalk(n));
            case EMAIL -> {
                m.setBody(AlertMessages.emailBody(n));
                m.setHeader("Subject", AlertMessages.emailSubject(n));
                m.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=UTF-8");
            }
        }
    }

    /**
     * One more attempt to send it (the first, or a retry of the channel's error handler). A DingTalk robot with a secret
     * gets its signature here, at the time of the attempt: the robot refuses a timestamp an hour old, and the retries
     * (their backoff doubling) can run longer than that.
     */
    public void attempt(Exchange ex) {
        ex.setProperty(ATTEMPTS, attempts(ex) + 1);
        AlertChannel channel = channel(ex.getProperty(NOTIFICATION, Notification.class));
        if (channel.format() == ChannelFormat.DINGTALK && channel.secret() != null) {
            ex.getMessage().setHeader(Exchange.HTTP_QUERY, DingTalkSigning.signedQuery(webhookQuery(ex, channel),
                    channel.secret().reveal(), clock.millis()));
        }
    }

    /**
     * A DingTalk robot answers HTTP 200 also when it refuses a message ({"errcode":310000,"errmsg":"sign not match"},
     * 130101 when sent too fast): a refusal fails the delivery, which is then tried again like any other failure.
     */
    public void accepted(Exchange ex) throws IOException {
        Notification n = ex.getProperty(NOTIFICATION, Notification.class);
        if (channel(n).format() != ChannelFormat.DINGTALK) {
            return;
        }
        String answer = ex.getMessage().getBody(String.class);
        JsonNode json = answer == null || answer.isBlank() ? null : JSON.readTree(answer);
        if (json != null && json.path("errcode").asInt(0) != 0) {
            throw new IOException("the DingTalk robot refused the message: errcode " + json.path("errcode").asInt() + " "
                    + json.path("errmsg").asText());
        }
    }

    /** The channel took the notification. */
    public void delivered(Exchange ex) {
        Notification n = ex.getProperty(NOTIFICATION, Notification.class);
        store.delivered(n.id(), attempts(ex), clock.instant());
    }

    /** Dead letter: the channel did not take the notification after every retry. */
    public void failed(Exchange ex) {
        Notification n = ex.getProperty(NOTIFICATION, Notification.class);
        if (n == null) {
            n = ex.getIn().getBody(Notification.class);
        }
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        AlertChannel channel = channel(n);
        String error = channel.mask(e == null ? "unknown failure" : e.getClass().getSimpleName() + ": " + e.getMessage());
        int attempts = attempts(ex);
        LOG.warn("Alert {} {} of {}/{} not delivered to channel {} ({}) after {} attempt(s): {}", n.rule(), n.state(), n.source(),
                n.taskId(), channel.name(), channel.shownUri(), attempts, error);
        try {
            store.failed(n.id(), attempts, clock.instant(), error);
        } catch (RuntimeException db) {
            // it stays QUEUED and is sent again after the next start
            LOG.warn("The failed delivery of alert notification {} could not be recorded: {}", n.id(), db.getMessage());
        }
    }

    private static int attempts(Exchange ex) {
        return ex.getProperty(ATTEMPTS, 0, Integer.class);
    }

    private AlertChannel channel(Notification n) {
        AlertChannel c = channels.get(n.channel());
        if (c == null) {
            throw new IllegalStateException("no alert channel " + n.channel());
        }
        return c;
    }

    private String webhookQuery(Exchange ex, AlertChannel channel) {
        return webhookQueries.computeIfAbsent(channel.name(), k -> {
            Endpoint e = ex.getContext().getEndpoint(channel.endpointUri());
            String q = e instanceof HttpCommonEndpoint http ? http.getHttpUri().getRawQuery() : null;
            return q == null ? "" : q;
        });
    }

    private static void json(Message m, String body) {
        m.setBody(body);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
    }
}
